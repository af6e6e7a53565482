"""The signed link of a review request: no password, one request, one shop.

The token carries the request's id and nonce, signed with a salt that names the shop, so a
token of one shop opens nothing in another; changing the nonce retires links already sent.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from aftersale.reviews.models import ReviewRequest

# A link works for half a year: long enough for a late answer, short enough to retire.
LINK_MAX_AGE_DAYS = 183


def _signer(shop_id: int) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"aftersale.reviews.request:{shop_id}")


def request_token(request: ReviewRequest) -> str:
    return _signer(request.shop_id).sign_object({"r": request.pk, "n": request.nonce})


def review_url(request: ReviewRequest) -> str:
    return f"{settings.SITE_URL}/s/{request.shop.slug}/review/{request_token(request)}/"


def request_for_token(shop, token: str) -> ReviewRequest | None:
    """The shop's request the token was made for, or None (bad, expired, retired or foreign)."""
    try:
        data = _signer(shop.pk).unsign_object(token, max_age=LINK_MAX_AGE_DAYS * 24 * 3600)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    found = (
        ReviewRequest.objects.for_shop(shop)
        .select_related("order", "customer", "shop")
        .filter(pk=data.get("r"), nonce=data.get("n"))
        .first()
    )
    return found
