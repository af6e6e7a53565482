"""Which order lines a customer kept: what recommendations are learnt from and built on."""

from __future__ import annotations

from django.db.models import QuerySet

from aftersale.core.models import Shop
from aftersale.delivery.models import UNCLAIMED_PARCEL, Shipment
from aftersale.orders.models import Order, OrderLine
from aftersale.returns.models import (
    Resolution,
    ReturnLine,
    ReturnState,
    Withdrawal,
    WithdrawalLine,
)


def kept_lines(shop: Shop) -> QuerySet[OrderLine]:
    """Lines of the shop's catalogue the customer kept: not in a cancelled order, not returned
    or being returned (an exchange keeps the product; a rejected return keeps it too), not
    withdrawn from, and not in a parcel that came back unclaimed."""
    returned = (
        ReturnLine.objects.for_shop(shop)
        .exclude(return_request__state=ReturnState.REJECTED)
        .exclude(return_request__resolution=Resolution.EXCHANGE)
        .values("order_line_id")
    )
    withdrawn = WithdrawalLine.objects.for_shop(shop).values("order_line_id")
    withdrawn_orders = Withdrawal.objects.for_shop(shop).filter(whole_order=True).values("order_id")
    unclaimed = Shipment.objects.for_shop(shop).filter(UNCLAIMED_PARCEL).values("order_id")
    return (
        OrderLine.objects.for_shop(shop)
        .filter(variant__isnull=False)
        .exclude(order__status=Order.Status.CANCELLED)
        .exclude(pk__in=returned)
        .exclude(pk__in=withdrawn)
        .exclude(order_id__in=withdrawn_orders)
        .exclude(order_id__in=unclaimed)
    )
