"""Tells the audit log who is acting in each request and from which address."""

from __future__ import annotations

from aftersale.core.limits import client_address
from aftersale.privacy.audit import Acting, acting


class AuditMiddleware:
    """Sets ``aftersale.privacy.audit.acting`` for the request (after authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        token = acting.set(
            Acting(client_address=client_address(request), user=user if signed_in else None)
        )
        try:
            return self.get_response(request)
        finally:
            acting.reset(token)
