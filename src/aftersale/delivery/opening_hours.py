"""Opening hours of a pickup point: the compact text form of registry files and the JSON form.

Text form (case-insensitive; ``;`` between groups, ``,`` between days or between intervals)::

    mon-fri 08:00-21:00; sat 10:00-18:00; sun closed
    mon,wed 07:00-11:00, 12:00-16:00; tue 24h

JSON form, as stored in ``PickupPoint.opening_hours`` (and ``Shop.opening_hours``): every weekday
with a list of ``["HH:MM", "HH:MM"]`` intervals; ``[]`` is closed. An interval ending at or before
its start runs past midnight ("22:00-02:00"); "24:00" is the end of the day. An empty mapping
means the hours are not known.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.translation import gettext as _

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_DAY_NAMES = {
    **{day: day for day in WEEKDAYS},
    # Finnish and Swedish abbreviations, as registry files from Finnish carriers use them.
    "ma": "mon", "ti": "tue", "ke": "wed", "to": "thu", "pe": "fri", "la": "sat", "su": "sun",
    "må": "mon", "on": "wed", "fr": "fri", "lö": "sat", "sö": "sun",
}  # fmt: skip
_TIME = r"(\d{1,2})[:.](\d{2})"
_INTERVAL = re.compile(rf"^{_TIME}\s*-\s*{_TIME}$")
_CLOSED = {"closed", "suljettu", "stängt", "-"}
_ALL_DAY = {"24h", "00:00-24:00", "0-24"}


class OpeningHoursError(ValueError):
    """The text cannot be read; the message says which part and why."""


def parse_opening_hours(text: str) -> dict[str, list[list[str]]]:
    """The JSON form of ``text``; days it does not mention are closed. Empty text gives {}."""
    text = (text or "").strip()
    if not text:
        return {}
    hours: dict[str, list[list[str]]] = {day: [] for day in WEEKDAYS}
    for group in filter(None, (part.strip() for part in text.split(";"))):
        match = re.match(r"^(\S+)\s+(.+)$", group)
        if not match:
            raise OpeningHoursError(
                _("“%(part)s”: expected days and hours, e.g. “mon-fri 08:00-21:00”.")
                % {"part": group}
            )
        days = _parse_days(match.group(1))
        intervals = _parse_intervals(match.group(2).strip())
        for day in days:
            hours[day] = [list(interval) for interval in intervals]
    return hours


def _parse_days(spec: str) -> list[str]:
    days: list[str] = []
    for part in spec.lower().split(","):
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = _day(first), _day(last)
            i = WEEKDAYS.index(start)
            while True:
                days.append(WEEKDAYS[i])
                if WEEKDAYS[i] == end:
                    break
                i = (i + 1) % 7
        else:
            days.append(_day(part))
    return days


def _day(name: str) -> str:
    day = _DAY_NAMES.get(name.strip().lower())
    if day is None:
        raise OpeningHoursError(
            _("“%(part)s” is not a weekday: use mon, tue, wed, thu, fri, sat or sun.")
            % {"part": name.strip()}
        )
    return day


def _parse_intervals(spec: str) -> list[tuple[str, str]]:
    if spec.lower() in _CLOSED:
        return []
    if spec.lower() in _ALL_DAY:
        return [("00:00", "24:00")]
    intervals = []
    for part in spec.split(","):
        match = _INTERVAL.match(part.strip())
        if not match:
            raise OpeningHoursError(
                _("“%(part)s”: expected hours like 08:00-21:00, or “closed”.")
                % {"part": part.strip()}
            )
        h1, m1, h2, m2 = (int(x) for x in match.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
            raise OpeningHoursError(_("“%(part)s” is not a time of day.") % {"part": part.strip()})
        intervals.append((f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"))
    return intervals


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def is_open_at(hours: dict, local: datetime) -> bool | None:
    """Whether ``hours`` (JSON form) are open at the local wall-clock time; None when unknown."""
    if not hours:
        return None
    now = local.hour * 60 + local.minute
    today = WEEKDAYS[local.weekday()]
    yesterday = WEEKDAYS[(local - timedelta(days=1)).weekday()]
    for start, end in hours.get(today) or []:
        s, e = _minutes(start), _minutes(end)
        if (s < e and s <= now < e) or (e <= s and now >= s):
            return True
    for start, end in hours.get(yesterday) or []:
        s, e = _minutes(start), _minutes(end)
        if e <= s and now < e:  # yesterday's interval running past midnight
            return True
    return False


def weekday_hours(hours: dict) -> list[tuple[str, str]]:
    """(weekday, hours) in the active language, Monday first: ("Monday", "08:00–21:00"),
    ("Sunday", "closed"). Unknown hours (an empty mapping) give [], never "closed" every day."""
    if not hours:
        return []
    days = []
    for index, key in enumerate(WEEKDAYS):
        intervals = hours.get(key) or []
        if [list(interval) for interval in intervals] == [["00:00", "24:00"]]:
            text = _("open around the clock")
        else:
            text = ", ".join(f"{start}–{end}" for start, end in intervals) or _("closed")
        days.append((str(DAY_NAMES[index]), text))
    return days


def format_opening_hours(hours: dict) -> str:
    """The compact text form of the JSON form (the inverse of ``parse_opening_hours``)."""
    if not hours:
        return ""
    groups: list[tuple[list[str], str]] = []
    for day in WEEKDAYS:
        spec = ", ".join(f"{a}-{b}" for a, b in hours.get(day) or []) or "closed"
        if groups and groups[-1][1] == spec:
            groups[-1][0].append(day)
        else:
            groups.append(([day], spec))
    return "; ".join(
        f"{days[0]}-{days[-1]} {spec}" if len(days) > 1 else f"{days[0]} {spec}"
        for days, spec in groups
    )
