"""A shop's headline numbers per day, kept in ``DailyFigures`` so that a page adding up a month
never sums the month's orders, refunds, returns and parcels on every request.

``figures_by_day`` answers for a range of days in the shop's time zone: past days from the
stored rows, today live (today's rows are few and indexed). Stored rows are checked, not
trusted: any order, refund, return or parcel changed since the rows were last checked (by its
``updated_at``) makes the days it belongs to be computed again, in the same request. So a late
import, a refund recorded for an old order or a rejected return shows at once.

Each figure, per day (docs/merchants/backoffice.md defines them for the merchant):

* ``orders``: orders placed that day, except cancelled ones;
* ``revenue_cents``: their totals, in the shop's currency only;
* ``refunds_cents``: refunds issued that day, in the shop's currency;
* ``unrefunded_returns_cents``: goods of returns requested that day (not rejected) whose order
  has no refund yet, at the price paid;
* ``unclaimed_parcels``: parcels that came back to the shop unclaimed that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from aftersale.core.models import Shop
from aftersale.delivery.models import Shipment, ShipmentStatus
from aftersale.insights.models import DailyFigures
from aftersale.orders.models import Order, Refund
from aftersale.returns.models import ReturnLine, ReturnRequest, ReturnState

FIGURES = (
    "orders",
    "revenue_cents",
    "refunds_cents",
    "unrefunded_returns_cents",
    "unclaimed_parcels",
)


def midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _per_day(queryset: QuerySet, field: str, zone: ZoneInfo, start, end, kind: str, n, cents):
    """(day, kind, count, cents) per day of ``field``, for one UNION ALL of every figure."""
    return (
        queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .annotate(day=TruncDate(field, tzinfo=zone))
        .values("day")
        .annotate(
            kind=Value(kind, output_field=CharField()),
            n=n,
            cents=Coalesce(cents, 0, output_field=BigIntegerField()),
        )
        .values_list("day", "kind", "n", "cents")
        .order_by()
    )


def compute(shop: Shop, zone: ZoneInfo, first: date, last: date) -> dict[date, dict[str, int]]:
    """Every figure of every day from ``first`` to ``last``, from the rows behind them, in one
    query (a UNION ALL of one grouped aggregate per table)."""
    start, end = midnight(first, zone), midnight(last + timedelta(days=1), zone)
    result = {day: dict.fromkeys(FIGURES, 0) for day in days_between(first, last)}
    orders = _per_day(
        Order.objects.for_shop(shop).exclude(status=Order.Status.CANCELLED),
        "placed_at",
        zone,
        start,
        end,
        "orders",
        Count("id"),
        Sum("total_cents", filter=Q(currency=shop.currency)),
    )
    refunds = _per_day(
        Refund.objects.for_shop(shop).filter(currency=shop.currency),
        "refunded_at",
        zone,
        start,
        end,
        "refunds",
        Count("id"),
        Sum("amount_cents"),
    )
    unrefunded = _per_day(
        ReturnLine.objects.for_shop(shop)
        .exclude(return_request__state=ReturnState.REJECTED)
        .filter(
            ~Exists(Refund.objects.filter(order_id=OuterRef("return_request__order_id"))),
            return_request__shop=shop,  # lets the index on (shop, requested_at) answer
            return_request__order__currency=shop.currency,
        ),
        "return_request__requested_at",
        zone,
        start,
        end,
        "unrefunded",
        Count("id"),
        Sum(F("quantity") * F("order_line__unit_price_cents")),
    )
    unclaimed = _per_day(
        Shipment.objects.for_shop(shop).filter(status=ShipmentStatus.RETURNED_TO_SENDER),
        "returned_at",
        zone,
        start,
        end,
        "unclaimed",
        Count("id"),
        Value(0),
    )
    for day, kind, n, cents in orders.union(refunds, unrefunded, unclaimed, all=True):
        figures = result.get(day)
        if figures is None:
            continue
        if kind == "orders":
            figures["orders"], figures["revenue_cents"] = n, cents
        elif kind == "refunds":
            figures["refunds_cents"] = cents
        elif kind == "unrefunded":
            figures["unrefunded_returns_cents"] = cents
        else:
            figures["unclaimed_parcels"] = n
    return result


def changed_days(shop: Shop, zone: ZoneInfo, first: date, last: date, since: datetime) -> set[date]:
    """Days from ``first`` to ``last`` whose figures rows changed at or after ``since`` touch.

    One query; every part walks an index on (shop, updated_at), so it reads only what changed.
    """
    start, end = midnight(first, zone), midnight(last + timedelta(days=1), zone)

    def days(queryset: QuerySet, field: str) -> QuerySet:
        return (
            queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
            .annotate(day=TruncDate(field, tzinfo=zone))
            .values_list("day", flat=True)
            .order_by()
        )

    returns = ReturnRequest.objects.for_shop(shop)
    parts = [
        days(Order.objects.for_shop(shop).filter(updated_at__gte=since), "placed_at"),
        days(Refund.objects.for_shop(shop).filter(updated_at__gte=since), "refunded_at"),
        days(returns.filter(updated_at__gte=since), "requested_at"),
        # A refund changes whether its order's returns still count as not refunded.
        days(
            returns.filter(
                Exists(
                    Refund.objects.for_shop(shop).filter(
                        order_id=OuterRef("order_id"), updated_at__gte=since
                    )
                )
            ),
            "requested_at",
        ),
        days(Shipment.objects.for_shop(shop).filter(updated_at__gte=since), "returned_at"),
    ]
    return set(parts[0].union(*parts[1:]))


def figures_by_day(
    shop: Shop, zone: ZoneInfo, first: date, last: date, *, now: datetime | None = None
) -> dict[date, dict[str, int]]:
    """The figures of each day from ``first`` to ``last``: stored for days before today
    (computed again where anything behind them changed), live for today."""
    from aftersale.insights.services import store_daily_figures

    checked_at = timezone.now()  # before reading: a change made meanwhile is seen next time
    today = timezone.localtime(now or checked_at, zone).date()
    past_last = min(last, today - timedelta(days=1))
    result: dict[date, dict[str, int]] = {}
    if first <= past_last:
        stored = {
            row.day: row
            for row in DailyFigures.objects.for_shop(shop).filter(day__range=(first, past_last))
        }
        wanted = set(days_between(first, past_last))
        current = {
            day: row
            for day, row in stored.items()
            if row.currency == shop.currency and row.time_zone == str(zone)
        }
        stale = wanted - set(current)
        if current:
            since = min(row.computed_at for row in current.values())
            stale |= changed_days(shop, zone, first, past_last, since)
        for day, row in current.items():
            result[day] = {name: getattr(row, name) for name in FIGURES}
        if stale:
            fresh = compute(shop, zone, min(stale), max(stale))
            fresh = {day: values for day, values in fresh.items() if day in stale}
            store_daily_figures(shop, zone, fresh, checked_at=checked_at, window=(first, past_last))
            result.update(fresh)
    if last >= today >= first:
        result.update(compute(shop, zone, today, today))
    return result


def total(days: dict[date, dict[str, int]], figure: str, within: Iterable[date]) -> int:
    return sum(days[day][figure] for day in within if day in days)
