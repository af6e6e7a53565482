"""Delivering the timeline to the shops' webhook endpoints (worker jobs).

``queue_new_events`` reads the event table from a durable cursor and creates one
``WebhookDelivery`` row per subscribed endpoint in the same transaction that moves the cursor,
so a crash never loses or duplicates a delivery; events that happened more than
``lag.WEBHOOKS`` ago (imported history, a first start on old data) get none.
``send_due_deliveries`` POSTs them, signed with HMAC-SHA256, and retries failures with
exponential backoff until ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
from collections import defaultdict
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from aftersale.core.worker import stop_requested
from aftersale.timeline import lag
from aftersale.timeline.models import Event
from aftersale.webhooks import addresses
from aftersale.webhooks.models import EventCursor, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("aftersale.webhooks")

CURSOR = "webhooks"
BATCH = 500
# Events younger than this are left for the next pass: a transaction that wrote an event with a
# lower id may not have committed yet.
SETTLE = timedelta(seconds=10)
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LEASE = timedelta(minutes=5)
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "Aftersale-Signature"


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … after the 1st, 2nd, 3rd … failed attempt (at most 6 h)."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), timedelta(hours=6))


def queue_new_events(now=None) -> int:
    """Create deliveries for events past the cursor; returns how many were created."""
    now = now or timezone.now()
    EventCursor.objects.get_or_create(name=CURSOR)
    with transaction.atomic():
        cursor = EventCursor.objects.select_for_update().get(name=CURSOR)
        events = list(
            Event.objects.filter(id__gt=cursor.last_event_id, created_at__lte=now - SETTLE)
            .order_by("id")
            .only("id", "shop_id", "type", "created_at", "occurred_at")[:BATCH]
        )
        if not events:
            return 0
        endpoints = defaultdict(list)
        for endpoint in WebhookEndpoint.objects.filter(
            shop_id__in={e.shop_id for e in events}, active=True
        ):
            endpoints[endpoint.shop_id].append(endpoint)
        since = lag.cutoff(lag.WEBHOOKS, now)
        deliveries = [
            WebhookDelivery(
                shop_id=event.shop_id, endpoint=endpoint, event=event, next_attempt_at=now
            )
            for event in events
            if event.occurred_at >= since
            for endpoint in endpoints[event.shop_id]
            if endpoint.wants(event.type) and event.created_at >= endpoint.created_at
        ]
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        cursor.last_event_id = events[-1].id
        cursor.save(update_fields=["last_event_id"])
    return len(deliveries)


def _claim(now, limit: int) -> list[WebhookDelivery]:
    """Lease due deliveries so that another worker does not send them at the same time."""
    with transaction.atomic():
        due = WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        claimed = list(due[:limit])
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            next_attempt_at=now + LEASE
        )
    return claimed


def body_of(event: Event) -> bytes:
    return json.dumps(
        {
            "id": event.pk,
            "type": event.type,
            "occurred_at": event.occurred_at.isoformat(),
            "shop": event.shop.slug,
            "subject": {"type": event.subject_type, "id": event.subject_id},
            "customer_external_id": event.customer.external_id if event.customer else None,
            "data": event.payload,
        },
        ensure_ascii=False,
    ).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>``, as docs/developers/webhooks.md
    tells the receiver to check."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def send_due_deliveries(now=None, limit: int = 10, budget_seconds: float = 20.0) -> int:
    """POST due deliveries, ``limit`` at a time, for at most ``budget_seconds`` so that a slow
    endpoint cannot hold up the worker's other jobs, and not after the worker is asked to stop
    (checked between two POSTs); returns how many were attempted."""
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < budget_seconds and not stop_requested():
        claimed = _claim(now or timezone.now(), limit)
        for index, delivery in enumerate(claimed):
            if stop_requested():  # hand the rest back at once rather than after the lease
                unsent = [d.pk for d in claimed[index:]]
                WebhookDelivery.objects.filter(pk__in=unsent).update(next_attempt_at=timezone.now())
                return sent
            _send(
                WebhookDelivery.objects.select_related(
                    "endpoint", "event__shop", "event__customer"
                ).get(pk=delivery.pk)
            )
            sent += 1
        if len(claimed) < limit:
            break
    return sent


def _send(delivery: WebhookDelivery) -> None:
    event, endpoint = delivery.event, delivery.endpoint
    body = body_of(event)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Aftersale-Webhooks/1",
        "Aftersale-Event": event.type,
        "Aftersale-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
    }
    status, excerpt = None, ""
    try:
        # The address is checked at connection time and redirects are not followed.
        status, excerpt = addresses.post(endpoint.url, body, headers, TIMEOUT_SECONDS)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        excerpt = f"{type(exc).__name__}: {exc}"
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = status
    delivery.response_excerpt = excerpt[: addresses.EXCERPT_BYTES]
    if status is not None and 200 <= status < 300:
        delivery.state = WebhookDelivery.State.DELIVERED
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = WebhookDelivery.State.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "response_status",
            "response_excerpt",
            "state",
            "next_attempt_at",
        ]
    )
