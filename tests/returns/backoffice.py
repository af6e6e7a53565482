"""Returns in a shop's queue, made through the services as the portal makes them."""

from __future__ import annotations

from datetime import timedelta

from aftersale.returns import services
from aftersale.returns.policy import RequestedLine
from tests.returns.fixtures import DELIVERED_AT, delivered_order, photo

NOW = DELIVERED_AT + timedelta(days=3)


def a_return(shop, *, reason="too_small", resolution="refund", photos=(), now=NOW, **order_kw):
    order = delivered_order(shop, **order_kw)
    line = order.lines.order_by("id").first()
    exchange = None
    if resolution == "exchange":
        exchange = line.variant.product.variants.get(size="L").pk
    if reason in ("arrived_damaged", "wrong_item") and not photos:
        photos = [photo()]
    return services.register_return(
        shop,
        order,
        [RequestedLine(line.pk, 1, reason, photos=list(photos), exchange_variant_id=exchange)],
        resolution=resolution,
        method="drop_off",
        now=now,
    )
