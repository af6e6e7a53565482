"""Recording what happened. Domain services call ``record_event`` inside their transaction.

Consumers (flows, outbound webhooks) read the Event table from a cursor in the worker, so an
event recorded while no worker runs is never lost.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

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


def record_events(events: list[Event]) -> list[Event]:
    """Bulk form of ``record_event`` for ingest batches and snapshots."""
    return Event.objects.bulk_create(events, batch_size=2000)
