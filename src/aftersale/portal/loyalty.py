"""The customer's loyalty page: points available and pending with the day each vests, the
tier and how far the next one is, and the history of their points (paginated)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aftersale.loyalty import selectors, services
from aftersale.orders.models import Customer
from aftersale.portal import access
from aftersale.portal.lookup import shop_for
from aftersale.portal.orders import to_sign_in

HISTORY_PAGE = 20


def signed_in_customer(request, shop) -> Customer | None:
    """The customer this browser has proved to be in ``shop`` (a member first, if the
    e-mail belongs to several customer records)."""
    customers = access.granted_customers(request, shop)
    if not customers:
        return None
    members = {m.customer_id for m in selectors.members_among(shop, customers)}
    return next((c for c in customers if c.pk in members), customers[0])


@require_GET
def loyalty_page(request, shop_slug):
    shop = shop_for(shop_slug)
    programme = services.programme_for(shop)
    if not programme.enabled:
        raise Http404
    customer = signed_in_customer(request, shop)
    if customer is None:
        return to_sign_in(shop)
    member = selectors.member(shop, customer)
    page = Paginator(selectors.history(shop, customer), HISTORY_PAGE).get_page(
        request.GET.get("page")
    )
    # Signed in with one order's number, the browser may see that order only (as everywhere
    # in the portal): an entry of another order (or a referred friend's) shows no number and
    # no reason, which may name it.
    order_ids = {entry.order_id for entry in page.object_list if entry.order_id}
    shown = set(
        access.visible_orders(request, shop).filter(pk__in=order_ids).values_list("pk", flat=True)
    )
    for entry in page.object_list:
        entry.order_hidden = bool(entry.order_id) and entry.order_id not in shown
    return render(
        request,
        "portal/loyalty.html",
        {
            "shop": shop,
            "programme": programme,
            "customer": customer,
            "member": member,
            "balance": selectors.balance(shop, customer),
            "progress": selectors.tier_progress(shop, customer, programme.tier_basis, member),
            "page": page,
        },
    )
