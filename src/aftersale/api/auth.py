"""Bearer-token authentication and per-token rate limits for the API."""

from __future__ import annotations

import time

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from aftersale.api.problems import Problem
from aftersale.core import limits
from aftersale.core.limits import client_address
from aftersale.core.services import authenticate_api_token
from aftersale.env import env_int
from aftersale.privacy.audit import current_acting, record_access
from aftersale.privacy.models import AuditAction


def rate_limit_per_minute() -> int:
    configured = getattr(settings, "API_RATE_LIMIT_PER_MINUTE", None)
    return configured if configured is not None else env_int("API_RATE_LIMIT_PER_MINUTE", 1200)


def check_rate_limit(token_id: int) -> None:
    """Allow ``rate_limit_per_minute`` requests per token in each clock minute, then 429."""
    limit = rate_limit_per_minute()
    window = int(time.time() // 60)
    if limits.count(f"api-rate:{token_id}:{window}", 120) > limit:
        retry_after = 60 - int(time.time() % 60)
        raise Problem(
            429,
            _("Too many requests"),
            _("This token may make %(limit)s requests a minute; try again later.")
            % {"limit": limit},
            kind="rate-limited",
            headers={"Retry-After": str(retry_after)},
        )


def audit_token_use(request, api_token) -> None:
    """Name the token as the one acting in this request, and write an audit entry when the
    token's use is recorded (its first use in a minute)."""
    now_acting = current_acting()
    now_acting.name = f"API token {api_token.name} ({api_token.token_prefix}…)"
    if getattr(api_token, "use_recorded", False):
        record_access(
            api_token.shop,
            AuditAction.API_TOKEN_USED,
            actor_name=now_acting.name,
            detail=f"{request.method} {request.path}",
            client_address=client_address(request),
        )


class ShopToken(HttpBearer):
    """``Authorization: Bearer as_…``; the token decides the shop (``request.shop``)."""

    def authenticate(self, request, token: str):
        api_token = authenticate_api_token(token.strip())
        if api_token is None:
            return None
        check_rate_limit(api_token.pk)
        audit_token_use(request, api_token)
        request.shop = api_token.shop
        request.api_token = api_token
        return api_token
