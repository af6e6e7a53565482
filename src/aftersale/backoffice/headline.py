"""The dashboard's headline numbers: the last 30 days against the 30 days before.

Periods are whole calendar days in the shop's time zone: the current period is today and the
29 days before it, the previous period the 30 days before that. Every number is one aggregate
query (conditional sums over both periods), never a loop over rows. docs/merchants/backoffice.md
defines each number for the merchant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersale.backoffice.access import shop_zone
from aftersale.delivery.models import Shipment, ShipmentStatus
from aftersale.orders.models import Order, Refund
from aftersale.returns.models import ReturnLine, ReturnState

PERIOD_DAYS = 30


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).date()


@dataclass(frozen=True)
class Figure:
    """One headline number with its value in the previous period."""

    current: int
    previous: int

    @property
    def change_percent(self) -> int | None:
        """Change against the previous period in whole per cent; None when there was nothing."""
        if not self.previous:
            return None
        return round((self.current - self.previous) * 100 / self.previous)


@dataclass(frozen=True)
class Headline:
    current: Period
    previous: Period
    currency: str
    orders: Figure
    revenue_cents: Figure
    refunds_cents: Figure
    unrefunded_returns_cents: Figure
    returned_cents: Figure
    unclaimed_parcels: Figure


def periods(shop, now: datetime | None = None) -> tuple[Period, Period]:
    """The current and previous 30-day periods as aware datetimes in the shop's zone."""
    zone = shop_zone(shop)
    today = timezone.localtime(now or timezone.now(), zone).date()

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=zone)

    current = Period(
        midnight(today - timedelta(days=PERIOD_DAYS - 1)), midnight(today + timedelta(1))
    )
    previous = Period(midnight(today - timedelta(days=2 * PERIOD_DAYS - 1)), current.start)
    return current, previous


def _in(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def _both(queryset, field: str, current: Period, previous: Period, **aggregates):
    """Aggregate ``queryset`` over both periods in one query: {name_current, name_previous}.

    Each aggregate is ``(function, expression)`` or ``(function, expression, extra Q)``.
    """
    queryset = queryset.filter(**{f"{field}__gte": previous.start, f"{field}__lt": current.end})
    expressions = {}
    for name, (function, expression, *condition) in aggregates.items():
        for suffix, period in (("current", current), ("previous", previous)):
            expressions[f"{name}_{suffix}"] = Coalesce(
                function(expression, filter=_in(field, period) & Q(*condition)), 0
            )
    return queryset.aggregate(**expressions)


def headline(shop, now: datetime | None = None) -> Headline:
    current, previous = periods(shop, now)
    orders = _both(
        Order.objects.for_shop(shop).exclude(status=Order.Status.CANCELLED),
        "placed_at",
        current,
        previous,
        count=(Count, "id"),
        # Revenue adds up only orders in the shop's currency; the order count counts them all.
        revenue=(Sum, "total_cents", Q(currency=shop.currency)),
    )
    refunds = _both(
        Refund.objects.for_shop(shop).filter(currency=shop.currency),
        "refunded_at",
        current,
        previous,
        amount=(Sum, "amount_cents"),
    )
    # Returns whose order has no refund recorded yet count at the price paid for the goods.
    unrefunded = _both(
        ReturnLine.objects.for_shop(shop)
        .exclude(return_request__state=ReturnState.REJECTED)
        .filter(
            ~Exists(Refund.objects.filter(order_id=OuterRef("return_request__order_id"))),
            return_request__order__currency=shop.currency,
        ),
        "return_request__requested_at",
        current,
        previous,
        value=(Sum, F("quantity") * F("order_line__unit_price_cents")),
    )
    unclaimed = _both(
        Shipment.objects.for_shop(shop).filter(status=ShipmentStatus.RETURNED_TO_SENDER),
        "returned_at",
        current,
        previous,
        count=(Count, "id"),
    )

    def figure(values, name):
        return Figure(values[f"{name}_current"], values[f"{name}_previous"])

    refunds_figure = figure(refunds, "amount")
    unrefunded_figure = figure(unrefunded, "value")
    return Headline(
        current=current,
        previous=previous,
        currency=shop.currency,
        orders=figure(orders, "count"),
        revenue_cents=figure(orders, "revenue"),
        refunds_cents=refunds_figure,
        unrefunded_returns_cents=unrefunded_figure,
        returned_cents=Figure(
            refunds_figure.current + unrefunded_figure.current,
            refunds_figure.previous + unrefunded_figure.previous,
        ),
        unclaimed_parcels=figure(unclaimed, "count"),
    )
