"""The journey funnel: ordered → arrived → received → kept → ordered again.

Counted over orders placed in a mature window (by default the 12 months ending 30 days ago, so
that every order has had time to arrive and its return window to close):

* **arrived** — a parcel of the order reached the pickup point or the door;
* **received** — the customer picked it up or it was delivered;
* **kept** — received, and not every unit was sent back (a return that was not rejected);
* **ordered again** — the customer placed another order later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, Q, Sum

from aftersale.core.models import Shop
from aftersale.delivery.models import Shipment
from aftersale.orders.models import Order, OrderLine
from aftersale.returns.models import ReturnLine, ReturnState

STAGES = ("ordered", "arrived", "received", "kept", "ordered_again")


@dataclass(frozen=True)
class Funnel:
    start: datetime
    end: datetime
    counts: dict[str, int]


def journey_funnel(shop: Shop, *, now: datetime, window_days: int = 365, maturity_days: int = 30):
    end = now - timedelta(days=maturity_days)
    start = end - timedelta(days=window_days)
    orders = list(
        Order.objects.for_shop(shop)
        .filter(placed_at__gt=start, placed_at__lte=end)
        .exclude(status=Order.Status.CANCELLED)
        .values_list("id", "customer_id", "placed_at")
        .order_by()
    )
    in_window = Q(order__placed_at__gt=start, order__placed_at__lte=end)
    shipments = Shipment.objects.for_shop(shop).filter(in_window)
    arrived = set(
        shipments.filter(Q(ready_at__isnull=False) | Q(received_at__isnull=False))
        .values_list("order_id", flat=True)
        .order_by()
    )
    received = set(
        shipments.filter(received_at__isnull=False).values_list("order_id", flat=True).order_by()
    )
    bought = dict(
        OrderLine.objects.for_shop(shop)
        .filter(in_window)
        .values_list("order_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    returned = dict(
        ReturnLine.objects.for_shop(shop)
        .filter(
            Q(order_line__order__placed_at__gt=start, order_line__order__placed_at__lte=end)
            & ~Q(return_request__state=ReturnState.REJECTED)
        )
        .values_list("order_line__order_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    last_order = dict(
        Order.objects.for_shop(shop)
        .filter(placed_at__lte=now)
        .exclude(status=Order.Status.CANCELLED)
        .values_list("customer_id")
        .annotate(last=Max("placed_at"))
        .order_by()
    )
    counts = dict.fromkeys(STAGES, 0)
    for order_id, customer_id, placed_at in orders:
        counts["ordered"] += 1
        if order_id not in arrived and order_id not in received:
            continue
        counts["arrived"] += 1
        if order_id not in received:
            continue
        counts["received"] += 1
        if returned.get(order_id, 0) >= bought.get(order_id, 0) > 0:
            continue
        counts["kept"] += 1
        if last_order.get(customer_id, placed_at) > placed_at:
            counts["ordered_again"] += 1
    return Funnel(start=start, end=end, counts=counts)
