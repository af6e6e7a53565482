"""The shop's front page: headline numbers for the last 30 days and what needs attention."""

from __future__ import annotations

from django.db.models import F
from django.shortcuts import render

from aftersale.backoffice.access import shop_required
from aftersale.backoffice.headline import headline
from aftersale.delivery.models import Shipment, ShipmentStatus
from aftersale.orders.models import Order
from aftersale.service.figures import deflection

LIST_LENGTH = 8


@shop_required
def dashboard(request):
    shop = request.shop
    latest_orders = (
        Order.objects.for_shop(shop).select_related("customer").order_by("-placed_at", "-id")
    )[:LIST_LENGTH]
    waiting_parcels = (
        Shipment.objects.for_shop(shop)
        .filter(status=ShipmentStatus.READY_FOR_PICKUP)
        .select_related("order__customer", "pickup_point")
        .order_by(F("held_until").asc(nulls_last=True), "id")
    )[:LIST_LENGTH]
    numbers = headline(shop)
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "headline": numbers,
            "deflection": deflection(shop, numbers.current.start, numbers.current.end),
            "latest_orders": latest_orders,
            "waiting_parcels": waiting_parcels,
        },
    )
