"""The dashboard's headline numbers: the last 30 days against the 30 days before.

Periods are whole calendar days in the shop's time zone: the current period is today and the
29 days before it, the previous period the 30 days before that. The numbers add up stored
per-day figures (``aftersale.insights.daily``), never a month of orders per request.
docs/merchants/backoffice.md defines each number for the merchant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from aftersale.backoffice.access import shop_zone
from aftersale.insights.daily import days_between, figures_by_day, midnight, total

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
    current = Period(
        midnight(today - timedelta(days=PERIOD_DAYS - 1), zone),
        midnight(today + timedelta(1), zone),
    )
    previous = Period(midnight(today - timedelta(days=2 * PERIOD_DAYS - 1), zone), current.start)
    return current, previous


def headline(shop, now: datetime | None = None) -> Headline:
    current, previous = periods(shop, now)
    first, split, last = previous.start.date(), current.start.date(), current.last_day
    days = figures_by_day(shop, shop_zone(shop), first, last, now=now)
    in_current = days_between(split, last)
    in_previous = days_between(first, split - timedelta(days=1))

    def figure(name: str) -> Figure:
        return Figure(total(days, name, in_current), total(days, name, in_previous))

    refunds = figure("refunds_cents")
    unrefunded = figure("unrefunded_returns_cents")
    return Headline(
        current=current,
        previous=previous,
        currency=shop.currency,
        orders=figure("orders"),
        revenue_cents=figure("revenue_cents"),
        refunds_cents=refunds,
        unrefunded_returns_cents=unrefunded,
        returned_cents=Figure(
            refunds.current + unrefunded.current, refunds.previous + unrefunded.previous
        ),
        unclaimed_parcels=figure("unclaimed_parcels"),
    )
