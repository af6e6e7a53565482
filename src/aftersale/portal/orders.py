"""The customer's order page: its lines, and for each what can be returned or why not."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from aftersale.portal import access
from aftersale.portal.lookup import shop_for
from aftersale.returns import policy
from aftersale.returns.models import ReturnRequest


class SignInRequired(Exception):
    """The browser has no portal session for this shop."""


def order_for(request, shop, order_id: int):
    """An order this browser may see; 404 for any other (another customer's or shop's)."""
    if not access.has_access(request, shop):
        raise SignInRequired
    order = (
        access.visible_orders(request, shop)
        .select_related("shop", "customer")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise Http404
    return order


def to_sign_in(shop):
    return redirect("portal:lookup", shop_slug=shop.slug)


@require_GET
def order_page(request, shop_slug, order_id):
    shop = shop_for(shop_slug)
    try:
        order = order_for(request, shop, order_id)
    except SignInRequired:
        return to_sign_in(shop)
    return render(
        request,
        "portal/order.html",
        {
            "shop": shop,
            "order": order,
            "eligibility": policy.eligibility(order),
            "returns": ReturnRequest.objects.for_shop(shop).filter(order=order),
        },
    )
