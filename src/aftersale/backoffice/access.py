"""Who may open a back-office page: a signed-in member of the shop the page is about.

``shop_required`` (views) and ``ShopRequiredMixin`` (class-based views) resolve the shop from the
user's membership before the view runs, put ``request.shop`` and ``request.membership`` on the
request, and render the page in the shop's time zone. A signed-in user without any membership
gets the "not a member of any shop" page; an anonymous visitor is sent to the login page.
"""

from __future__ import annotations

from functools import wraps
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from aftersale.core.models import Membership

# The shop a member of several shops chose with the switcher, kept in the session.
SESSION_KEY = "aftersale_shop_id"


def current_membership(request) -> Membership | None:
    """The membership for the shop chosen in this session, else the user's first by shop name."""
    if not request.user.is_authenticated:
        return None
    memberships = list(
        Membership.objects.select_related("shop")
        .filter(user=request.user)
        .order_by("shop__name", "shop_id")
    )
    # The shop switcher lists these; one query serves both (see core.context_processors).
    request.user_shops = [membership.shop for membership in memberships]
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.shop_id == chosen:
            return membership
    return memberships[0] if memberships else None


def shop_zone(shop) -> ZoneInfo:
    try:
        return ZoneInfo(shop.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _check(request, owner_only: bool):
    """None when the request may go on, else the response that refuses it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    membership = current_membership(request)
    if membership is None:
        return render(request, "backoffice/no_shop.html", status=403)
    if owner_only and membership.role != Membership.Role.OWNER:
        raise PermissionDenied
    request.membership = membership
    request.shop = membership.shop
    return None


def _run_in_shop_zone(request, view, args, kwargs):
    with timezone.override(shop_zone(request.shop)):
        response = view(request, *args, **kwargs)
        # A TemplateResponse renders after the view returns; render it while the zone is active.
        if getattr(response, "is_rendered", True) is False:
            response.render()
    return response


def shop_required(view=None, *, owner_only: bool = False):
    """Decorate a view so it runs only for a member of the current shop (``owner_only``: owners).

    Use bare (``@shop_required``) or with arguments (``@shop_required(owner_only=True)``).
    """

    def decorate(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            refusal = _check(request, owner_only)
            if refusal is not None:
                return refusal
            return _run_in_shop_zone(request, view_func, args, kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate


class ShopRequiredMixin:
    """``shop_required`` for class-based views; set ``owner_only = True`` for owners only."""

    owner_only = False

    def dispatch(self, request, *args, **kwargs):
        refusal = _check(request, self.owner_only)
        if refusal is not None:
            return refusal
        return _run_in_shop_zone(request, super().dispatch, args, kwargs)
