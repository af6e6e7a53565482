"""Choosing the shop to work in, for users who belong to several."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersale.backoffice.access import SESSION_KEY
from aftersale.core.models import Membership


@require_POST
@login_required
def switch_shop(request):
    """Work in another of the user's shops; a shop they are not a member of is not found."""
    try:
        shop_id = int(request.POST.get("shop", ""))
    except ValueError:
        raise Http404 from None
    membership = (
        Membership.objects.select_related("shop").filter(user=request.user, shop_id=shop_id).first()
    )
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = membership.shop_id
    messages.success(request, _("You are now working in %(shop)s.") % {"shop": membership.shop})
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("backoffice:dashboard")
