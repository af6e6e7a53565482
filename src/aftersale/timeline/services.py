"""Recording what happened. Domain services call ``record_event`` inside their transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from aftersale.timeline.models import Event

# Consumers (flows, loyalty, webhooks) subscribe by event type, or "*" for every event.
# They run after the recording transaction commits, so they never see rolled-back events.
_subscribers: dict[str, list[Callable[[Event], None]]] = {}


def subscribe(event_type: str, handler: Callable[[Event], None]) -> None:
    handlers = _subscribers.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


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
    event = Event.objects.create(
        shop=shop,
        customer=customer,
        type=type,
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
        payload=payload or {},
        occurred_at=occurred_at or timezone.now(),
    )
    notify_on_commit([event])
    return event


def record_events(events: list[Event], *, notify: bool = True) -> list[Event]:
    """Bulk form of ``record_event`` for imports and the demo simulator.

    ``notify=False`` records history without waking subscribers (the demo's two years of past
    events must not start flows or webhooks).
    """
    created = Event.objects.bulk_create(events, batch_size=2000)
    if notify:
        notify_on_commit(created)
    return created


def notify_on_commit(events: list[Event]) -> None:
    if not _subscribers or not events:
        return

    def deliver() -> None:
        for event in events:
            for handler in (*_subscribers.get(event.type, ()), *_subscribers.get("*", ())):
                handler(event)

    transaction.on_commit(deliver)
