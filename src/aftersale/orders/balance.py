"""What an order's customer paid and what they already got back: the one source of the
amounts that refunds are capped by and that customer messages quote."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from aftersale.orders.models import Order, Payment, Refund


@dataclass(frozen=True)
class OrderBalance:
    """``paid_cents``: the recorded payments (the order total while none is recorded);
    ``refunded_cents``: every refund recorded so far, for whatever reason."""

    paid_cents: int
    refunded_cents: int

    @property
    def refundable_cents(self) -> int:
        """What can still be refunded: paid minus already refunded, never negative."""
        return max(0, self.paid_cents - self.refunded_cents)


def order_balance(order: Order) -> OrderBalance:
    return order_balances(order.shop_id, [order])[order.pk]


def order_balances(shop, orders: list[Order]) -> dict[int, OrderBalance]:
    """``order_balance`` for many orders of one shop at once (order id -> balance), in two
    queries."""
    ids = [order.pk for order in orders]

    def totals(model) -> dict[int, int]:
        rows = model.objects.for_shop(shop).filter(order_id__in=ids).values_list("order_id")
        return dict(rows.annotate(total=Sum("amount_cents")).order_by())

    paid, refunded = totals(Payment), totals(Refund)
    return {
        order.pk: OrderBalance(
            paid_cents=paid.get(order.pk, order.total_cents),
            refunded_cents=refunded.get(order.pk, 0),
        )
        for order in orders
    }
