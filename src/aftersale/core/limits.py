"""Counting attempts in time windows that every process shares.

The counters live in Django's cache: Redis when ``REDIS_URL`` is set (atomic increments), the
database cache table otherwise; never one process's memory, so that three web workers do not
grant three times the limit. Used by the API's per-token limit, the portal's lookup and link
limits and the staff sign-in lockout (docs/operators/security.md).
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection, transaction


@contextmanager
def _one_at_a_time(key: str):
    """Redis increments atomically by itself. The database cache reads and writes back, so
    two processes counting the same key take turns: SQLite's write transaction (IMMEDIATE)
    serialises them, PostgreSQL's advisory lock on the key does."""
    if not isinstance(caches["default"], DatabaseCache):
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])
        yield


def count(key: str, window_seconds: int) -> int:
    """Add one attempt under ``key`` (which expires ``window_seconds`` after its first) and
    return how many there have been."""
    with _one_at_a_time(key):
        cache.add(key, 0, window_seconds)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window_seconds)
            return 1


def uncount(key: str) -> None:
    """Take back one attempt counted under ``key`` (one that turned out to be allowed)."""
    with _one_at_a_time(key):
        try:
            cache.decr(key)
        except ValueError:  # expired meanwhile: nothing left to take back
            pass


def current(key: str) -> int:
    """How many attempts ``key`` has counted in its window, without counting one."""
    return int(cache.get(key, 0) or 0)


def client_address(request) -> str:
    """The client's address. Behind ``PROXY_HOPS`` proxies it is the entry that many places
    from the right of X-Forwarded-For (what the first trusted proxy saw); entries further left
    came from the client and could be made up. Without proxies: the connection's address."""
    from django.conf import settings

    hops = settings.PROXY_HOPS
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
