"""The values the rewards' and referrals' built-in messages print: points and dates from the
triggering event, and the member's referral link.

flows/context.py adds these to a run's template values when the run was started by one of
``EVENT_TYPES`` (the ledger's own events get theirs from flows/context.py)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils.formats import date_format

from aftersale.loyalty import referrals
from aftersale.timeline import types

EVENT_TYPES = frozenset(
    {
        types.LOYALTY_POINTS_EXPIRING,
        types.LOYALTY_POINTS_EXPIRED,
        types.LOYALTY_REFERRAL_REWARDED,
        types.LOYALTY_ORDER_KEPT,
    }
)
SAMPLE_EXPIRES_ON = date(2027, 1, 31)
SAMPLE_VESTS_ON = date(2027, 1, 14)


def _date(value: str | date | None) -> str:
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(value)
    return date_format(day, "DATE_FORMAT")


def values_for(shop, customer, payload: dict) -> dict:
    """Template values from the event's ``payload`` (call inside the message's language)."""
    code = referrals.referral_code_for(shop, customer)
    values = {
        "expires_on": _date(payload.get("expires_on")),
        "vests_on": _date(payload.get("vests_on")),
        "referral_url": referrals.referral_url(shop, code.code),
        "referral_code": code.code,
    }
    if "points" in payload:
        values["points"] = payload["points"]
    return values


def sample_values(shop) -> dict:
    """Made-up values for previewing a template."""
    return {
        "expires_on": _date(SAMPLE_EXPIRES_ON),
        "vests_on": _date(SAMPLE_VESTS_ON),
        "referral_url": settings.SITE_URL.rstrip("/") + f"/s/{shop.slug}/r/K7M2P9QX/",
        "referral_code": "K7M2P9QX",
    }
