"""Outbox messages written outside a flow (a staff reply to a ticket): queued by a service in
the same transaction as what they are about, and sent here by the worker.

    queue_email ──▶ pending (due now) ──claim──▶ send ──▶ sent
                                           └──▶ retrying (temporary, due after a backoff) ──▶ …
                                           └──▶ failed / bounced (permanent, hard bounce)

A message of a flow waits for its step's claim (scheduler.py); these have no step, so each is
claimed on its own: a batch of due rows is locked with ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL, counted as one more attempt, given a new claim token and a lease (``next_attempt_at``
moves ahead). Only the claim that holds the token records the outcome, so two workers never both
send a message. The lease is longer than the longest wait for one message's reply
(``channels.data_timeout()``) plus ``SENDING_WINDOW``, and a worker starts no send later than
``SENDING_WINDOW`` after its claim (the rest of the batch is put back, due now): so even a
server that freezes on the last message answers, or times out, before the lease ends. A worker
that dies after sending and before recording leaves the message ``pending`` and it is sent once
more when the lease has passed, with the same Message-ID (docs/operators/workers.md).
Temporary refusals are retried with the scheduler's backoff up to its MAX_ATTEMPTS; permanent
ones are given up at once; a hard bounce also suppresses the address.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from aftersale.core.worker import stop_requested
from aftersale.flows import channels
from aftersale.flows.models import Channel, Kind, Message, MessagingSettings, Suppression
from aftersale.flows.outbox import SENDABLE
from aftersale.flows.scheduler import MAX_ATTEMPTS, backoff

logger = logging.getLogger("aftersale.flows")

BATCH = 20
# How long after its claim a worker may still start sending messages of the batch.
SENDING_WINDOW = timedelta(minutes=5)


def lease() -> timedelta:
    """How long claimed messages stay with their worker: the sending window, the longest wait
    for one message's reply, and a minute for the connection's other commands."""
    return SENDING_WINDOW + timedelta(seconds=channels.data_timeout()) + timedelta(minutes=1)


def queue_email(
    shop,
    *,
    key: str,
    recipient: str,
    subject: str,
    body: str,
    language: str,
    customer=None,
    headers: dict[str, str] | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> Message:
    """Write a transactional e-mail to the outbox, due now. ``key`` is its idempotency key
    (unique: writing the same key twice is an error, not a second e-mail). Call it inside the
    transaction that records what the e-mail is about, so both are committed or neither."""
    return Message.objects.create(
        shop=shop,
        customer=customer,
        kind=Kind.TRANSACTIONAL,
        channel=Channel.EMAIL,
        recipient=recipient,
        language=language,
        subject=subject[:300],
        body=body,
        headers=headers or {},
        attachments=attachments or [],
        idempotency_key=key,
        state=Message.State.PENDING,
        next_attempt_at=timezone.now(),
    )


def _due(now: datetime):
    return Message.objects.filter(
        step__isnull=True, state__in=SENDABLE, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "id")


def claim(now: datetime, limit: int = BATCH) -> tuple[str, list[Message]]:
    """Take up to ``limit`` due messages for this worker under a new token."""
    token = secrets.token_hex(16)
    with transaction.atomic():
        rows = _due(now)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("id", flat=True)[:limit])
        _due(now).filter(id__in=ids).update(
            state=Message.State.PENDING,
            claim_token=token,
            next_attempt_at=now + lease(),
            send_attempts=F("send_attempts") + 1,
            updated_at=timezone.now(),
        )
    claimed = Message.objects.filter(id__in=ids, claim_token=token).select_related("shop")
    return token, list(claimed.order_by("id"))


def send_due_messages(now: datetime | None = None) -> int:
    """Send the due messages written outside flows, a batch at a time; returns how many were
    sent."""
    sent = 0
    mailer = channels.Mailer()
    try:
        while not stop_requested():
            token, batch = claim(now or timezone.now())
            sent += send_batch(mailer, token, batch, send_until=timezone.now() + SENDING_WINDOW)
            if len(batch) < BATCH:
                break
    finally:
        mailer.close()
    return sent


def send_batch(
    mailer: channels.Mailer, token: str, batch: list[Message], *, send_until: datetime
) -> int:
    """Send a claimed batch; what is left when the worker stops or the sending window has
    passed goes back to the queue, due now, with its attempt taken back."""
    sent = 0
    senders: dict[int, str] = {}
    for index, message in enumerate(batch):
        if stop_requested() or timezone.now() >= send_until:
            _release(token, batch[index:])
            break
        shop = message.shop
        if shop.pk not in senders:
            settings = MessagingSettings.objects.filter(shop=shop).first()
            senders[shop.pk] = channels.sender_for(settings, shop.name)
        try:
            provider_id = mailer.send(message, from_email=senders[shop.pk])
        except Exception as exc:
            failure = channels.failure_of(exc)
            if failure is None:  # not a refusal: a bug; keep the traceback, try again later
                logger.exception("sending message %s failed", message.pk)
                failure = channels.Failure(
                    channels.TEMPORARY, f"{type(exc).__name__}: {exc}", reset=True
                )
            if failure.reset:
                mailer.reset()
            _record_failure(message, token, failure)
            continue
        now = timezone.now()
        Message.objects.filter(pk=message.pk, claim_token=token).update(
            state=Message.State.SENT,
            provider_id=provider_id[:200],
            sent_at=now,
            last_error="",
            failure_class="",
            next_attempt_at=None,
            updated_at=now,
        )
        sent += 1
    return sent


def _release(token: str, messages: list[Message]) -> None:
    Message.objects.filter(
        id__in=[message.pk for message in messages],
        claim_token=token,
        state=Message.State.PENDING,
        send_attempts__gt=0,
    ).update(
        next_attempt_at=timezone.now(),
        send_attempts=F("send_attempts") - 1,
        updated_at=timezone.now(),
    )


def _record_failure(message: Message, token: str, failure: channels.Failure) -> None:
    now = timezone.now()
    mine = Message.objects.filter(pk=message.pk, claim_token=token, state=Message.State.PENDING)
    if failure.kind == channels.TEMPORARY and message.send_attempts < MAX_ATTEMPTS:
        mine.update(
            state=Message.State.RETRYING,
            last_error=failure.reply[:2000],
            failure_class=failure.kind,
            next_attempt_at=now + backoff(message.send_attempts),
            updated_at=now,
        )
        logger.info("message %s refused for now: %s", message.pk, failure.reply)
        return
    bounce = failure.kind == channels.BOUNCE
    with transaction.atomic():
        changed = mine.update(
            state=Message.State.BOUNCED if bounce else Message.State.FAILED,
            last_error=failure.reply[:2000],
            failure_class=failure.kind,
            next_attempt_at=None,
            failed_at=now,
            bounced_at=now if bounce else None,
            updated_at=now,
        )
        if changed and bounce:
            from aftersale.flows.services import suppress

            suppress(
                message.shop,
                channel=message.channel,
                address=message.recipient,
                reason=Suppression.Reason.HARD_BOUNCE,
                message=message,
            )
    logger.warning("gave up message %s (%s): %s", message.pk, failure.kind, failure.reply)
