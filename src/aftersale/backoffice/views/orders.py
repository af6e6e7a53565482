"""The shop's orders: a searchable, filterable list and each order with everything after it."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import render

from aftersale.backoffice.access import shop_required
from aftersale.backoffice.forms import OrderSearchForm, valid_filters
from aftersale.backoffice.pagination import SEARCH_COUNT_LIMIT, page_of
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.delivery.addresses import AddressCheck
from aftersale.delivery.models import Shipment, TrackingEvent
from aftersale.orders.models import Order
from aftersale.orders.selectors import needs_longer_words, search_orders
from aftersale.returns.models import ReturnLine, ReturnRequest


@shop_required
def order_list(request):
    form = OrderSearchForm(request.GET or None)
    filters = valid_filters(form)
    orders = search_orders(
        request.shop,
        filters.get("q", ""),
        filters.get("delivery_method", ""),
        filters.get("status", ""),
    ).select_related("customer")
    return render(
        request,
        "backoffice/order_list.html",
        {
            "form": form,
            "filtered": bool(filters),
            "too_short": needs_longer_words(filters.get("q", "")),
            "page": page_of(request, orders, count_limit=SEARCH_COUNT_LIMIT if filters else None),
        },
    )


@shop_required
def order_detail(request, order_id: int):
    shop = request.shop
    queryset = (
        Order.objects.for_shop(shop)
        .select_related("customer", "pickup_point")
        .prefetch_related(
            "lines",
            "payments",
            "refunds",
            Prefetch(
                "shipments",
                queryset=Shipment.objects.for_shop(shop)
                .select_related("pickup_point")
                .prefetch_related(
                    Prefetch(
                        "tracking_events",
                        queryset=TrackingEvent.objects.for_shop(shop).order_by("occurred_at", "id"),
                    )
                )
                .order_by("created_at", "id"),
            ),
            Prefetch(
                "returns",
                queryset=ReturnRequest.objects.for_shop(shop)
                .prefetch_related(
                    Prefetch(
                        "lines",
                        queryset=ReturnLine.objects.for_shop(shop).select_related("order_line"),
                    )
                )
                .order_by("requested_at", "id"),
            ),
        )
    )
    order = get_for_shop_or_404(queryset, shop, pk=order_id)
    return render(
        request,
        "backoffice/order_detail.html",
        {"order": order, "address_check": address_check_of(order)},
    )


def address_check_of(order: Order) -> AddressCheck | None:
    """The check made when the order arrived, its messages in the reader's language.

    None when the address was never checked; a stored result that cannot be read is shown as
    "please check the address" rather than hidden.
    """
    if not order.address_check:
        return None
    try:
        return AddressCheck.from_dict(order.address_check)
    except (AttributeError, KeyError, TypeError, ValueError):
        return AddressCheck(ok=False, problems=[])
