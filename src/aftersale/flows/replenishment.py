"""When a customer is likely to need a consumable again (ink, filters, capsules).

A product is a consumable when the shop's catalogue names it the consumable of another product
(a ``consumable`` product relation). The customer's expected reorder interval for it is the
median number of days between their own orders of it when they have ordered it at least twice;
otherwise the product's median interval over every customer who has reordered it (at least
``MIN_REORDERS`` such intervals); otherwise it is not known and no reminder is timed.

The replenishment flow waits until ``REMIND_BEFORE`` before the expected reorder date, counted
from the order that was received (``expected_reorder_at``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from statistics import median

from aftersale.catalog.models import Product, ProductRelation
from aftersale.delivery.models import Shipment
from aftersale.orders.models import Order, OrderLine

MIN_REORDERS = 3
MIN_INTERVAL = timedelta(days=7)


def consumables_of(shop, order: Order) -> list[Product]:
    """The products of ``order`` that are a consumable of something, in order-line order."""
    consumable_ids = set(
        ProductRelation.objects.for_shop(shop)
        .filter(kind=ProductRelation.Kind.CONSUMABLE)
        .values_list("related_id", flat=True)
    )
    seen: list[Product] = []
    for line in order.lines.select_related("variant__product").order_by("pk"):
        product = line.variant.product if line.variant_id else None
        if product is not None and product.pk in consumable_ids and product not in seen:
            seen.append(product)
    return seen


def _intervals(dates: list[datetime]) -> list[timedelta]:
    dates = sorted(dates)
    return [b - a for a, b in zip(dates, dates[1:], strict=False) if b - a >= MIN_INTERVAL]


def _orders_of(shop, product: Product):
    return (
        OrderLine.objects.for_shop(shop)
        .filter(variant__product=product)
        .exclude(order__status=Order.Status.CANCELLED)
        .values_list("order__customer_id", "order__placed_at")
        .distinct()
        .order_by()
    )


def reorder_interval(shop, customer_id: int, product: Product) -> timedelta | None:
    """The customer's expected interval between orders of ``product`` (see module docstring)."""
    by_customer: dict[int, list[datetime]] = defaultdict(list)
    for buyer, placed_at in _orders_of(shop, product):
        by_customer[buyer].append(placed_at)
    own = _intervals(by_customer.get(customer_id, []))
    if own:
        return median(own)
    everyone = [gap for dates in by_customer.values() for gap in _intervals(dates)]
    if len(everyone) >= MIN_REORDERS:
        return median(everyone)
    return None


def expected_reorder_at(subject) -> datetime | None:
    """When the customer is expected to need the order's first consumable again: the order's
    time plus their reorder interval for it (None when nothing in it is a consumable or no
    interval is known). ``subject`` is the received shipment, or the order."""
    order = subject.order if isinstance(subject, Shipment) else subject
    if not isinstance(order, Order):
        return None
    moments = []
    for product in consumables_of(order.shop, order):
        interval = reorder_interval(order.shop, order.customer_id, product)
        if interval is not None:
            moments.append(order.placed_at + interval)
    return min(moments) if moments else None
