"""Changing the service desk's opening hours, closed days and answer-time targets."""

from __future__ import annotations

from datetime import date, time

from django.db import transaction
from django.utils.translation import gettext as _

from aftersale.service.hours import forget_opening_status, supported_countries
from aftersale.service.models import OpeningHours, ShopClosedDay, SupportSettings, Weekday


class HoursError(ValueError):
    """The hours or settings cannot be saved; the message names the day or field and why,
    ``field`` is the setting it is about."""

    def __init__(self, message: str, field: str = "hours"):
        super().__init__(message)
        self.field = field


def _end(closes: time) -> int:
    return (closes.hour * 60 + closes.minute) or 24 * 60


def _forget_status(shop) -> None:
    # Portal pages keep the opening status in the cache; once this change is saved they re-read it.
    transaction.on_commit(lambda: forget_opening_status(shop))


@transaction.atomic
def save_opening_hours(shop, week: dict[int, list[tuple[time, time]]]) -> list[OpeningHours]:
    """Replace the shop's weekly hours: {weekday (0 = Monday): [(opens, closes), …]}.

    ``closes`` at 00:00 is midnight. Days left out are closed. Nothing is saved when any day
    has an interval that ends before it starts or overlaps another."""
    rows = []
    for weekday in sorted(week):
        label = Weekday(weekday).label
        previous_end = -1
        for opens, closes in sorted(week[weekday]):
            start, end = opens.hour * 60 + opens.minute, _end(closes)
            if end <= start:
                raise HoursError(
                    _("%(day)s: %(opens)s–%(closes)s ends before it starts.")
                    % {"day": label, "opens": f"{opens:%H:%M}", "closes": f"{closes:%H:%M}"}
                )
            if start < previous_end:
                raise HoursError(
                    _("%(day)s: the intervals overlap; give each hour only once.") % {"day": label}
                )
            previous_end = end
            rows.append(OpeningHours(shop=shop, weekday=weekday, opens=opens, closes=closes))
    OpeningHours.objects.for_shop(shop).delete()
    _forget_status(shop)
    return OpeningHours.objects.bulk_create(rows)


@transaction.atomic
def add_closed_day(shop, day: date, name: str = "") -> ShopClosedDay:
    """Close the desk on ``day`` (saving it again renames it)."""
    closed, _created = ShopClosedDay.objects.update_or_create(
        shop=shop, date=day, defaults={"name": name.strip()[:100]}
    )
    _forget_status(shop)
    return closed


@transaction.atomic
def remove_closed_day(shop, closed_day_id: int) -> bool:
    deleted, _rows = ShopClosedDay.objects.for_shop(shop).filter(pk=closed_day_id).delete()
    _forget_status(shop)
    return bool(deleted)


@transaction.atomic
def save_support_settings(
    shop, *, first_response_hours: int, resolution_hours: int, holiday_countries: list[str]
) -> SupportSettings:
    """Save the answer-time targets (business hours) and whose public holidays close the desk."""
    countries = []
    known = supported_countries()
    for code in holiday_countries:
        code = code.strip().upper()
        if not code:
            continue
        if code not in known:
            raise HoursError(
                _("%(code)s is not a country with known public holidays; use codes like FI or SE.")
                % {"code": code},
                field="holiday_countries",
            )
        if code not in countries:
            countries.append(code)
    if first_response_hours < 1 or resolution_hours < 1:
        raise HoursError(
            _("Targets are whole business hours, at least 1."), field="first_response_hours"
        )
    if resolution_hours < first_response_hours:
        raise HoursError(
            _("The resolution target cannot be shorter than the first response."),
            field="resolution_hours",
        )
    settings, _created = SupportSettings.objects.update_or_create(
        shop=shop,
        defaults={
            "first_response_hours": first_response_hours,
            "resolution_hours": resolution_hours,
            "holiday_countries": countries,
        },
    )
    _forget_status(shop)
    return settings
