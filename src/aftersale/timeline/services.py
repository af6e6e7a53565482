"""Recording what happened. Domain services call ``record_event`` inside their transaction.

Consumers (flows, outbound webhooks) read the Event table from a cursor in the worker, so an
event recorded while no worker runs is never lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from aftersale.core.bulk import insert_rows
from aftersale.timeline.models import Event


def record_event(
    shop,
    type: str,
    *,
    subject,
    customer=None,
    payload: dict | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """Append an event about ``subject`` (a model instance) to the shop's timeline."""
    return Event.objects.create(
        shop=shop,
        customer=customer,
        type=type,
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
        payload=payload or {},
        occurred_at=occurred_at or timezone.now(),
    )


EventRow = dict[str, Any]


def event_row(
    shop_id: int,
    type: str,
    subject_type: str,
    subject_id: int,
    *,
    customer_id: int | None = None,
    payload: dict | None = None,
    occurred_at: datetime | None = None,
) -> EventRow:
    """One event for ``record_events``, as a plain row (a batch makes thousands)."""
    return {
        "shop_id": shop_id,
        "customer_id": customer_id,
        "type": type,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "payload": payload or {},
        "occurred_at": occurred_at or timezone.now(),
    }


def record_events(rows: list[EventRow]) -> None:
    """Bulk form of ``record_event`` for ingest batches and snapshots."""
    insert_rows(Event, rows)
