"""Signed, time-limited links that confirm a customer's request about their data: a copy
(``EXPORT``) or an erasure (``ERASURE``).

Each purpose signs with its own salt, so a link for one can never confirm the other; the shop's
id is in the salt too, so a link of one shop never opens at another.
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from aftersale.portal.access import normalise_email

EXPORT = "export"
ERASURE = "erasure"
# The portal page each purpose's link opens.
_PAGES = {EXPORT: "portal:confirm_my_data", ERASURE: "portal:confirm_erasure"}
_SALTS = {EXPORT: "aftersale.privacy.export-request", ERASURE: "aftersale.privacy.erasure-request"}

EXPORT_LINK_MINUTES = 60
ERASURE_LINK_MINUTES = 60
LINK_MINUTES = {EXPORT: EXPORT_LINK_MINUTES, ERASURE: ERASURE_LINK_MINUTES}


def _signer(shop, purpose: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{_SALTS[purpose]}:{shop.pk}")


def data_link_path(shop, email: str, purpose: str) -> str:
    token = _signer(shop, purpose).sign_object({"email": normalise_email(email)}, compress=True)
    return reverse(_PAGES[purpose], kwargs={"shop_slug": shop.slug, "token": token})


def email_from_token(shop, token: str, purpose: str) -> str | None:
    """The address a valid, unexpired link of this shop and purpose was sent to, else None."""
    try:
        data = _signer(shop, purpose).unsign_object(token, max_age=LINK_MINUTES[purpose] * 60)
    except (signing.BadSignature, ValueError):
        return None
    return data.get("email") if isinstance(data, dict) else None


def export_link_path(shop, email: str) -> str:
    return data_link_path(shop, email, EXPORT)


def email_from_export_token(shop, token: str) -> str | None:
    return email_from_token(shop, token, EXPORT)
