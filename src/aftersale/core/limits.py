"""Counting attempts in time windows that every process shares.

The counters live in Django's cache: Redis when ``REDIS_URL`` is set (atomic increments), the
database cache table otherwise; never one process's memory, so that three web workers do not
grant three times the limit. Used by the API's per-token limit, the portal's lookup and link
limits and the staff sign-in lockout (docs/operators/security.md).
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection, transaction


def _in_database() -> bool:
    return isinstance(caches["default"], DatabaseCache)


def _lock(key: str) -> None:
    """Inside a transaction: the database cache reads and writes back, so two processes
    counting one key take turns. SQLite's write transaction (IMMEDIATE) serialises them by
    itself; on PostgreSQL an advisory lock on the key does."""
    if connection.vendor == "postgresql":
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


def _add_in_database(key: str, delta: int, window_seconds: int) -> int:
    """The database cache keeps ``[count, ends_at]``: its ``incr`` would restart the expiry."""
    with transaction.atomic():
        _lock(key)
        now = time.time()
        entry = cache.get(key)
        if not entry or entry[1] <= now:
            if delta < 0:
                return 0
            entry = [0, now + window_seconds]
        entry = [max(entry[0] + delta, 0), entry[1]]
        cache.set(key, entry, timeout=max(entry[1] - now, 1))
        return entry[0]


def count(key: str, window_seconds: int) -> int:
    """Add one attempt under ``key`` (the window ends ``window_seconds`` after its first
    attempt) and return how many there have been in it. Redis counts atomically."""
    if _in_database():
        return _add_in_database(key, 1, window_seconds)
    cache.add(key, 0, window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        return 1


def uncount(key: str) -> None:
    """Take back one attempt counted under ``key`` (one that turned out to be allowed)."""
    if _in_database():
        _add_in_database(key, -1, 1)
        return
    try:
        cache.decr(key)
    except ValueError:  # expired meanwhile: nothing left to take back
        pass


def current(key: str) -> int:
    """How many attempts ``key`` has counted in its window, without counting one."""
    value = cache.get(key)
    if isinstance(value, list):
        return value[0] if value[1] > time.time() else 0
    return int(value or 0)


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
