"""Erased addresses are never messaged again, though the address itself is gone.

Only a keyed hash (HMAC with the installation's SECRET_KEY, per shop and channel) of the
normalised address is kept. Senders ask ``is_erased`` before sending.
"""

from __future__ import annotations

import re

from django.utils.crypto import salted_hmac

from aftersale.privacy.models import ErasedAddress

EMAIL = "email"
SMS = "sms"
# The suppression reason senders give for an erased customer's address.
ERASED = "erased customer"


def normalise(channel: str, address: str) -> str:
    address = (address or "").strip()
    if channel == EMAIL:
        return address.lower()
    return re.sub(r"[^\d+]", "", address)


def address_digest(shop_id: int, channel: str, address: str) -> str:
    value = f"{shop_id}:{channel}:{normalise(channel, address)}"
    return salted_hmac("aftersale.privacy.erased-address", value, algorithm="sha256").hexdigest()


def remember_erased(shop, channel: str, address: str) -> None:
    if normalise(channel, address):
        ErasedAddress.objects.get_or_create(
            shop=shop, channel=channel, digest=address_digest(shop.pk, channel, address)
        )


def is_erased(shop, channel: str, address: str) -> bool:
    """True if ``address`` belonged to a customer this shop has erased."""
    if not normalise(channel, address):
        return False
    digest = address_digest(shop.pk, channel, address)
    return ErasedAddress.objects.for_shop(shop).filter(channel=channel, digest=digest).exists()


def erased_addresses(candidates: set[tuple[int, str, str]]) -> set[tuple[int, str, str]]:
    """Of these (shop id, channel, address), the erased ones, with the address in lower case:
    one query for a whole batch of sends."""
    by_digest = {
        address_digest(shop_id, channel, address): (shop_id, channel, address.lower())
        for shop_id, channel, address in candidates
        if normalise(channel, address)
    }
    if not by_digest:
        return set()
    rows = ErasedAddress.objects.filter(digest__in=list(by_digest)).values_list(
        "shop_id", "channel", "digest"
    )
    return {
        by_digest[digest]
        for shop_id, channel, digest in rows
        if by_digest[digest][:2] == (shop_id, channel)
    }
