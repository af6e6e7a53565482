"""Cursor pagination over (updated_at, id), so a client can follow changes without gaps."""

from __future__ import annotations

import base64
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from aftersale.api.problems import Problem
from aftersale.orders.ingest import as_instant

MAX_LIMIT = 500


def encode_cursor(row) -> str:
    raw = f"{row.updated_at.isoformat()}|{row.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, pk = raw.split("|")
        moment = datetime.fromisoformat(when)
        if moment.tzinfo is None:
            raise ValueError
        return as_instant(moment), int(pk)
    except (ValueError, UnicodeDecodeError):
        raise Problem(
            400,
            _("Bad cursor"),
            _("Use the next_cursor value of the previous page as it is."),
            kind="bad-cursor",
            errors=[{"parameter": "cursor", "detail": _("is not a cursor of this API")}],
        ) from None


def page(
    queryset: QuerySet,
    *,
    cursor: str | None,
    limit: int,
    updated_since: datetime | None,
    updated_before: datetime | None,
) -> tuple[list, str | None]:
    """One page of ``queryset`` by ascending update time, and the cursor of the next page."""
    if updated_since:
        queryset = queryset.filter(updated_at__gte=updated_since)
    if updated_before:
        queryset = queryset.filter(updated_at__lt=updated_before)
    if cursor:
        moment, pk = _decode_cursor(cursor)
        queryset = queryset.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
    rows = list(queryset.order_by("updated_at", "pk")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor
