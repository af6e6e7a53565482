"""A customer's request for a copy of their data, confirmed through a link sent to their e-mail.

The customer gives their address; if the shop has data for it, an e-mail with a signed link
valid for ``EXPORT_LINK_MINUTES`` goes out (the answer on the page is the same either way).
Opening the link shows what they will get; confirming downloads the archive and is written to
the shop's audit log.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aftersale.core.limits import client_address
from aftersale.portal import access
from aftersale.portal.export_links import EXPORT_LINK_MINUTES, email_from_export_token
from aftersale.portal.forms import MagicLinkForm
from aftersale.portal.lookup import shop_for
from aftersale.portal.tasks import send_export_link
from aftersale.privacy.export import archive_name
from aftersale.privacy.services import export_customers


@require_http_methods(["GET", "POST"])
def request_export(request, shop_slug):
    shop = shop_for(shop_slug)
    form = MagicLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not access.allow_link_request(request, shop, email):
            form.add_error(None, _("Too many attempts. Wait 15 minutes and try again."))
            return _request_page(request, shop, form, status=429)
        send_export_link.enqueue(shop_id=shop.pk, email=email, language=get_language() or "")
        messages.info(
            request,
            _(
                "If we hold data for %(email)s, we have sent a link there to confirm the "
                "request. It is valid for %(minutes)s minutes."
            )
            % {"email": email, "minutes": EXPORT_LINK_MINUTES},
        )
        return redirect("portal:my_data", shop_slug=shop.slug)
    return _request_page(request, shop, form, status=400 if form.errors else 200)


def _request_page(request, shop, form, *, status):
    return render(
        request, "portal/my_data/request.html", {"shop": shop, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
def confirm_export(request, shop_slug, token):
    shop = shop_for(shop_slug)
    email = email_from_export_token(shop, token)
    customers = access.customers_with_email(shop, email) if email else []
    if not customers:
        return render(request, "portal/my_data/expired.html", {"shop": shop}, status=410)
    if request.method == "GET":
        return render(request, "portal/my_data/confirm.html", {"shop": shop, "email": email})
    data = export_customers(
        shop, customers, actor_name="customer (portal)", client_address=client_address(request)
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive_name(shop, customers[0])}"'
    response["Cache-Control"] = "private, no-store"
    return response
