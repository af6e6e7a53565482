"""State changes of shops, memberships and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from aftersale.core.models import ApiToken, Membership, Shop, hash_token

# last_used_at is written at most this often, so a busy token does not write on every call.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


@transaction.atomic
def create_shop(*, name: str, slug: str, owner: AbstractBaseUser | None = None, **fields) -> Shop:
    shop = Shop.objects.create(name=name, slug=slug, **fields)
    if owner is not None:
        Membership.objects.create(user=owner, shop=shop, role=Membership.Role.OWNER)
    return shop


def add_member(shop: Shop, user: AbstractBaseUser, role: str = Membership.Role.STAFF) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        shop=shop, user=user, defaults={"role": role}
    )
    return membership


def create_api_token(shop: Shop, *, name: str, created_by=None) -> tuple[ApiToken, str]:
    """Create a token and return it with its plain text, which is never stored or shown again."""
    plain = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        shop=shop,
        name=name,
        token_prefix=plain[:10],
        token_hash=hash_token(plain),
        created_by=created_by,
    )
    return token, plain


def revoke_api_token(shop: Shop, token_id: int) -> ApiToken:
    token = ApiToken.objects.for_shop(shop).get(pk=token_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def authenticate_api_token(plain: str) -> ApiToken | None:
    """The active token with this plain text, its last use recorded; None if unknown or revoked."""
    if not plain.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("shop")
        .filter(token_hash=hash_token(plain), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # ``use_recorded`` tells the caller this use was written (at most once a minute per token),
    # so that the audit log records token use as often, without a query of its own.
    token.use_recorded = (
        token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL
    )
    if token.use_recorded:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
