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
    payments = Payment.objects.for_shop(order.shop_id).filter(order=order)
    paid = payments.aggregate(total=Sum("amount_cents"))["total"]
    refunds = Refund.objects.for_shop(order.shop_id).filter(order=order)
    refunded = refunds.aggregate(total=Sum("amount_cents"))["total"] or 0
    return OrderBalance(
        paid_cents=order.total_cents if paid is None else paid, refunded_cents=refunded
    )
