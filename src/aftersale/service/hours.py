"""When the shop's customer service answers, and answer times counted in business hours.

``business_calendar(shop)`` reads the shop's weekly opening hours (``OpeningHours`` rows, or
``Shop.opening_hours`` when it has none), its own closed days and the public holidays of its
countries (the ``holidays`` package), all in the shop's time zone. Arithmetic happens in UTC,
so a business hour is sixty real minutes across a change to or from summer time.

A shop whose week has no open interval at all has not stated its hours: its calendar counts
around the clock (less closed days and holidays), and its status says nothing about being open.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersale.service.models import (
    DEFAULT_FIRST_RESPONSE_HOURS,
    DEFAULT_RESOLUTION_HOURS,
    OpeningHours,
    ShopClosedDay,
    SupportSettings,
)

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = 24 * 60
# No search walks further than this; a calendar with no open day in ten years is an error.
HORIZON_DAYS = 3660

Interval = tuple[int, int]  # minutes from local midnight, end exclusive (1440 = midnight)


@dataclass(frozen=True)
class Targets:
    """Answer-time targets in business hours and the countries whose holidays close the desk."""

    first_response_hours: int
    resolution_hours: int
    countries: tuple[str, ...]


def support_targets(shop) -> Targets:
    """The shop's targets, or the defaults when it has not saved any."""
    row = SupportSettings.objects.filter(shop_id=shop.pk).first()
    countries = tuple(row.holiday_countries) if row and row.holiday_countries else ()
    return Targets(
        first_response_hours=row.first_response_hours if row else DEFAULT_FIRST_RESPONSE_HOURS,
        resolution_hours=row.resolution_hours if row else DEFAULT_RESOLUTION_HOURS,
        countries=countries or ((shop.country or "FI").upper(),),
    )


def supported_countries() -> set[str]:
    return set(holidays.list_supported_countries())


@lru_cache(maxsize=64)
def _country_holidays(country: str):
    return holidays.country_holidays(country)


def public_holiday(country: str, day: date) -> str | None:
    """The name of ``country``'s public holiday on ``day``, or None."""
    return _country_holidays(country).get(day)


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def weekly_intervals(shop) -> dict[int, list[Interval]]:
    """The shop's week as {weekday (0 = Monday): [(start, end) minutes]}, sorted and merged."""
    week: dict[int, list[Interval]] = {day: [] for day in range(7)}
    rows = list(OpeningHours.objects.for_shop(shop).values_list("weekday", "opens", "closes"))
    if rows:
        for weekday, opens, closes in rows:
            end = _minutes(closes) or DAY
            if end > _minutes(opens):
                week[weekday].append((_minutes(opens), end))
    else:
        for index, key in enumerate(WEEKDAY_KEYS):
            for start, end in (shop.opening_hours or {}).get(key) or []:
                s, e = _text_minutes(start), _text_minutes(end)
                if e <= s:  # runs past midnight: the rest of the day, then the next morning
                    week[index].append((s, DAY))
                    if e:
                        week[(index + 1) % 7].append((0, e))
                else:
                    week[index].append((s, e))
    return {day: _merged(intervals) for day, intervals in week.items()}


def _text_minutes(hhmm: str) -> int:
    hours, minutes = str(hhmm).split(":")
    return int(hours) * 60 + int(minutes)


def _merged(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class BusinessCalendar:
    """Open intervals of one shop's customer service; all answers are timezone-aware."""

    def __init__(
        self,
        *,
        time_zone: str,
        week: dict[int, list[Interval]],
        closed_days: dict[date, str] | None = None,
        countries: tuple[str, ...] = (),
    ):
        self.zone = ZoneInfo(time_zone)
        self.stated = any(week.values())
        self.week = week if self.stated else {day: [(0, DAY)] for day in range(7)}
        self.closed_days = dict(closed_days or {})
        self.countries = countries

    # -- days --------------------------------------------------------------------------

    def closed_reason(self, day: date) -> str | None:
        """Why the desk is closed all of ``day`` (a holiday's or closed day's name), or None."""
        if day in self.closed_days:
            return self.closed_days[day] or _("closed")
        for country in self.countries:
            name = public_holiday(country, day)
            if name:
                return name
        return None

    def day_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of a local calendar day, as UTC datetimes."""
        if self.closed_reason(day) is not None:
            return []
        return [
            (self._at(day, start), self._at(day, end)) for start, end in self.week[day.weekday()]
        ]

    def _at(self, day: date, minutes: int) -> datetime:
        local = datetime.combine(day, time(0), tzinfo=self.zone)
        if minutes >= DAY:
            local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)
        else:
            local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.zone)
        # A wall-clock time that the spring change skips is read as the moment after the gap.
        return local.astimezone(UTC)

    def _intervals_from(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals ending after ``at``, clipped to start no earlier than it, in order."""
        at = _aware(at).astimezone(UTC)
        day = at.astimezone(self.zone).date() - timedelta(days=1)
        for _offset in range(HORIZON_DAYS):
            for start, end in self.day_intervals(day):
                if end > at:
                    yield max(start, at), end
            day += timedelta(days=1)

    # -- the public questions ----------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        at = _aware(at).astimezone(UTC)
        local_day = at.astimezone(self.zone).date()
        return any(start <= at < end for start, end in self.day_intervals(local_day))

    def next_opening(self, at: datetime) -> datetime | None:
        """``at`` itself when open, else the start of the next open interval (None if none)."""
        for start, _end in self._intervals_from(at):
            return start.astimezone(self.zone)
        return None

    def closes_at(self, at: datetime) -> datetime | None:
        """When the interval open at ``at`` ends, or None when closed at ``at``."""
        at = _aware(at).astimezone(UTC)
        for start, end in self._intervals_from(at):
            return end.astimezone(self.zone) if start <= at else None
        return None

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment when ``duration`` of open time has passed since ``start``."""
        if duration <= timedelta(0):
            return _aware(start)
        left = duration
        for begin, end in self._intervals_from(start):
            if end - begin >= left:
                return (begin + left).astimezone(self.zone)
            left -= end - begin
        raise ValueError(_("The opening hours have no open time in the next ten years."))

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Open time between ``start`` and ``end``; zero when ``end`` is not after ``start``."""
        end = _aware(end).astimezone(UTC)
        total = timedelta(0)
        if end <= _aware(start):
            return total
        for begin, finish in self._intervals_from(start):
            if begin >= end:
                break
            total += min(finish, end) - begin
        return total

    def business_day_length(self) -> timedelta:
        """The usual length of an open day: the most common non-zero daily total."""
        totals = [sum(e - s for s, e in day) for day in self.week.values() if day]
        if not totals:
            return timedelta(hours=24)
        return timedelta(minutes=max(set(totals), key=lambda m: (totals.count(m), m)))


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("business hours need timezone-aware datetimes")
    return value


def business_calendar(shop, *, targets: Targets | None = None) -> BusinessCalendar:
    """The shop's calendar: weekly hours, own closed days and its countries' public holidays."""
    targets = targets or support_targets(shop)
    closed = dict(ShopClosedDay.objects.for_shop(shop).values_list("date", "name"))
    return BusinessCalendar(
        time_zone=shop.time_zone or "Europe/Helsinki",
        week=weekly_intervals(shop),
        closed_days=closed,
        countries=targets.countries,
    )


# -- what customers read ---------------------------------------------------------------------


@dataclass(frozen=True)
class OpeningStatus:
    """What the portal says about reaching a person, in one language."""

    is_open: bool
    stated: bool
    closes_at: datetime | None
    next_opening: datetime | None
    answer_time: str  # "We answer within 1 business day."
    status: str  # "Closed now, back Monday at 9:00." / "Open now until 17:00." / ""

    @property
    def text(self) -> str:
        return f"{self.answer_time} {self.status}".strip()


def opening_status(shop, now: datetime, language: str) -> OpeningStatus:
    """The answer-time promise and whether the desk is open, in ``language`` (fi, sv or en)."""
    targets = support_targets(shop)
    calendar = business_calendar(shop, targets=targets)
    is_open = calendar.is_open(now)
    closes_at = calendar.closes_at(now) if is_open else None
    next_opening = None if is_open else calendar.next_opening(now)
    with translation.override(language):
        answer = answer_time_text(targets.first_response_hours, calendar.business_day_length())
        if not calendar.stated:
            status = ""
        elif is_open and closes_at is not None:
            status = _open_until(now, closes_at, calendar.zone)
        elif next_opening is not None:
            status = _back_at(now, next_opening, calendar.zone)
        else:
            status = _("Closed now.")
        return OpeningStatus(
            is_open=is_open,
            stated=calendar.stated,
            closes_at=closes_at,
            next_opening=next_opening,
            answer_time=str(answer),
            status=str(status),
        )


def answer_time_text(hours: int, day_length: timedelta) -> str:
    """ "We answer within 1 business day." when the target is whole days, else in hours."""
    day_minutes = int(day_length.total_seconds() // 60)
    minutes = hours * 60
    if day_minutes and minutes >= day_minutes and minutes % day_minutes == 0:
        days = minutes // day_minutes
        return ngettext(
            "We answer within %(count)d business day.",
            "We answer within %(count)d business days.",
            days,
        ) % {"count": days}
    return ngettext(
        "We answer within %(count)d business hour.",
        "We answer within %(count)d business hours.",
        hours,
    ) % {"count": hours}


def clock(value: datetime) -> str:
    """A wall-clock time as the language writes it: 9:00 in English, 9.00 in Finnish."""
    return _("%(hour)d:%(minute)02d") % {"hour": value.hour, "minute": value.minute}


def _open_until(now: datetime, closes_at: datetime, zone: ZoneInfo) -> str:
    if closes_at.astimezone(zone).date() != now.astimezone(zone).date():
        return _("Open now until midnight.")
    return _("Open now until %(time)s.") % {"time": clock(closes_at.astimezone(zone))}


def _back_at(now: datetime, opening: datetime, zone: ZoneInfo) -> str:
    local = opening.astimezone(zone)
    days = (local.date() - now.astimezone(zone).date()).days
    values = {"time": clock(local)}
    if days == 0:
        return _("Closed now, back today at %(time)s.") % values
    if days == 1:
        return _("Closed now, back tomorrow at %(time)s.") % values
    if days < 7:
        return [
            _("Closed now, back Monday at %(time)s."),
            _("Closed now, back Tuesday at %(time)s."),
            _("Closed now, back Wednesday at %(time)s."),
            _("Closed now, back Thursday at %(time)s."),
            _("Closed now, back Friday at %(time)s."),
            _("Closed now, back Saturday at %(time)s."),
            _("Closed now, back Sunday at %(time)s."),
        ][local.weekday()] % values
    return _("Closed now, back on %(date)s at %(time)s.") % {
        "date": date_format(local.date(), "SHORT_DATE_FORMAT"),
        **values,
    }
