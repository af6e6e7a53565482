"""How long the accounting records of an order are kept: the Finnish Accounting Act (2:10)
keeps vouchers six years from the end of the calendar year in which the financial period
ended (books ten years). A shop sets the years and the last day of its financial year.

An order placed on day *d* belongs to the financial period ending on the first financial
year end on or after *d*; its orders, payments and refunds are kept until 31 December of
that period's calendar year plus the shop's years, and removed the day after.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone


def financial_year_end(settings, year: int) -> date:
    """The last day of the shop's financial year that ends in ``year`` (29 February is the
    last day of February in a year that has none)."""
    month = settings.financial_year_end_month
    day = min(settings.financial_year_end_day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def period_end(settings, day: date) -> date:
    """The end of the financial period containing ``day``."""
    end = financial_year_end(settings, day.year)
    return end if day <= end else financial_year_end(settings, day.year + 1)


def kept_until(settings, day: date) -> date:
    """The last day the accounting records of an order placed on ``day`` are kept."""
    return date(period_end(settings, day).year + settings.accounting_years, 12, 31)


def removable_through(settings, today: date) -> date:
    """The last order day whose accounting records may be removed on ``today``: every order of
    a financial period that ended more than the shop's years before this calendar year."""
    return financial_year_end(settings, today.year - settings.accounting_years - 1)


def shop_today(shop, now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), ZoneInfo(shop.time_zone)).date()


def local_day(shop, moment: datetime) -> date:
    return timezone.localtime(moment, ZoneInfo(shop.time_zone)).date()


def removal_cutoff(shop, settings, now: datetime) -> datetime:
    """Orders placed before this moment are past their accounting period on ``now``."""
    last_day = removable_through(settings, shop_today(shop, now))
    return datetime.combine(last_day + timedelta(days=1), time(), tzinfo=ZoneInfo(shop.time_zone))
