"""Staff sign-in throttling: failed passwords count per account and per client address in the
shared counters (``aftersale.core.limits``); past a limit, sign-in is refused — the right
password too — until the window ends, and the lockout is written down for the owner.

Covers every sign-in that goes through Django's ``authenticate`` (the back-office and the Django
admin). See docs/operators/security.md.
"""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from aftersale.core import limits

logger = logging.getLogger("aftersale.security")

WINDOW_SECONDS = 15 * 60
FAILURES_PER_ACCOUNT = 10
FAILURES_PER_ADDRESS = 30


def _keys(request, username: str) -> tuple[str, str | None]:
    account = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()
    address = limits.client_address(request) if request is not None else None
    return f"signin-fail:account:{account}", (
        f"signin-fail:addr:{address}" if address is not None else None
    )


def locked_out(request, username: str) -> bool:
    """True while this account or this address has failed too often."""
    by_account, by_address = _keys(request, username)
    return limits.current(by_account) >= FAILURES_PER_ACCOUNT or (
        by_address is not None and limits.current(by_address) >= FAILURES_PER_ADDRESS
    )


class ThrottledModelBackend(ModelBackend):
    """Django's username and password check, refused while the account or address is locked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        name = username if username is not None else kwargs.get(get_user_model().USERNAME_FIELD)
        if name is not None and locked_out(request, name):
            raise PermissionDenied  # Django stops here and reports a failed sign-in
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def count_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    username = credentials.get("username") or credentials.get(get_user_model().USERNAME_FIELD)
    if not username:
        return
    by_account, by_address = _keys(request, username)
    account_failures = limits.count(by_account, WINDOW_SECONDS)
    address_failures = limits.count(by_address, WINDOW_SECONDS) if by_address else 0
    if account_failures == FAILURES_PER_ACCOUNT or address_failures == FAILURES_PER_ADDRESS:
        record_lockout(username, request, account_failures, address_failures)


def record_lockout(username: str, request, account_failures: int, address_failures: int) -> None:
    """The audit entry: a warning in the log, and on the account's history in the Django admin
    (Users → the user → History) when the account exists."""
    from django.contrib.admin.models import CHANGE, LogEntry

    address = limits.client_address(request) if request is not None else "unknown"
    message = (
        f"Sign-in locked for {WINDOW_SECONDS // 60} minutes: {account_failures} failed "
        f"passwords for this account, {address_failures} from address {address}"
    )
    logger.warning("%s (account %r)", message, username)
    user = get_user_model()._default_manager.filter(username__iexact=username.strip()).first()
    if user is not None:
        LogEntry.objects.log_actions(
            user_id=user.pk, queryset=[user], action_flag=CHANGE, change_message=message
        )
