"""The values loyalty's built-in messages print: points, dates, the member's links.

flows/context.py adds these to a run's template values when the run was started by a
``loyalty.*`` event (its payload says how many points and until when)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format

from aftersale.loyalty import referrals

SAMPLE = {
    "points": 1200,
    "expires_on": date(2027, 1, 31),
    "vests_on": date(2027, 1, 14),
}


def loyalty_url(shop) -> str:
    """The member's loyalty page in the shop's portal (they sign in with their e-mail)."""
    return settings.SITE_URL.rstrip("/") + reverse("portal:lookup", kwargs={"shop_slug": shop.slug})


def _date(value: str | date | None) -> str:
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(value)
    return date_format(day, "DATE_FORMAT")


def values_for(shop, customer, payload: dict) -> dict:
    """Template values from a loyalty event's ``payload`` (call inside the message's language)."""
    code = referrals.referral_code_for(shop, customer)
    return {
        "points": payload.get("points") or payload.get("pending_points") or 0,
        "expires_on": _date(payload.get("expires_on")),
        "vests_on": _date(payload.get("vests_on")),
        "referral_url": referrals.referral_url(shop, code.code),
        "referral_code": code.code,
        "loyalty_url": loyalty_url(shop),
    }


def sample_values(shop) -> dict:
    """Made-up values for previewing a template."""
    return {
        "points": SAMPLE["points"],
        "expires_on": _date(SAMPLE["expires_on"]),
        "vests_on": _date(SAMPLE["vests_on"]),
        "referral_url": settings.SITE_URL.rstrip("/") + f"/s/{shop.slug}/r/K7M2P9QX/",
        "referral_code": "K7M2P9QX",
        "loyalty_url": loyalty_url(shop),
    }
