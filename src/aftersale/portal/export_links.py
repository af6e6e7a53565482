"""Signed, time-limited links that confirm a customer's request for a copy of their data."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from aftersale.portal.access import normalise_email

EXPORT_LINK_MINUTES = 60


def _signer(shop) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"aftersale.privacy.export-request:{shop.pk}")


def export_link_path(shop, email: str) -> str:
    token = _signer(shop).sign_object({"email": normalise_email(email)}, compress=True)
    return reverse("portal:confirm_my_data", kwargs={"shop_slug": shop.slug, "token": token})


def email_from_export_token(shop, token: str) -> str | None:
    """The address a valid, unexpired export link of this shop was sent to, else None."""
    try:
        data = _signer(shop).unsign_object(token, max_age=EXPORT_LINK_MINUTES * 60)
    except (signing.BadSignature, ValueError):
        return None
    return data.get("email") if isinstance(data, dict) else None
