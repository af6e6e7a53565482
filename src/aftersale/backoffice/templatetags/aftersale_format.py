"""Template filters for money and for times in the shop's time zone.

``{% load aftersale_format %}`` then ``{{ order.total_cents|money:order.currency }}``,
``{{ event.occurred_at|shoptime:shop }}`` (date and time), ``{{ value|shopdate:shop }}`` (date)
and ``{{ value|in_shop_zone:shop|date:"H:i" }}`` for any other format.
"""

from __future__ import annotations

from datetime import datetime

from django import template
from django.templatetags.tz import do_timezone
from django.utils import formats, timezone, translation

from aftersale.backoffice.access import shop_zone
from aftersale.core.templatetags.money import money

register = template.Library()

# Django's English short formats are American (11/02/2026 noon); the back-office's English
# readers are mostly Nordic, so English uses day-month-year and a 24-hour clock. Other
# languages use Django's short formats (fi 2.11.2026 12.00, sv 2026-11-02 12:00).
DATETIME_FORMATS = {"en": "j M Y, H:i"}
DATE_FORMATS = {"en": "j M Y"}


def _format(value, by_language: dict[str, str], fallback: str) -> str:
    language = (translation.get_language() or "en").split("-")[0].lower()
    return formats.date_format(value, by_language.get(language, fallback))


register.filter("money", money)


@register.filter
def in_shop_zone(value, shop=None):
    """An aware datetime moved into the shop's time zone (the current zone without a shop)."""
    if not isinstance(value, datetime):
        return value
    zone = shop_zone(shop) if shop else timezone.get_current_timezone()
    return do_timezone(value, zone)


@register.filter
def shoptime(value, shop=None):
    """Date and time in the shop's time zone, in the active language's style."""
    if not isinstance(value, datetime):
        return "–" if value in (None, "") else value
    return _format(in_shop_zone(value, shop), DATETIME_FORMATS, "SHORT_DATETIME_FORMAT")


@register.filter
def shopdate(value, shop=None):
    """The calendar date in the shop's time zone, in the active language's style."""
    if not isinstance(value, datetime):
        if value in (None, ""):
            return "–"
        return _format(value, DATE_FORMATS, "SHORT_DATE_FORMAT")
    return _format(in_shop_zone(value, shop), DATE_FORMATS, "SHORT_DATE_FORMAT")


@register.filter
def language_name(code):
    """A language code as its name in the active language; an unknown code as it is."""
    try:
        return translation.get_language_info(str(code))["name_translated"]
    except KeyError:
        return code
