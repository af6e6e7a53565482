"""Staff replies leave by e-mail from the worker: a reply is written (and committed) as a
``TicketMessage`` with ``delivery="pending"`` and sent here, so a reply written while the mail
server is down goes out when it is back.

It uses the flows app's sender address and failure classification (flows/channels.py), one
connection per pass, temporary failures (4xx, dropped connections) retried
with growing waits, permanent ones (5xx, a mailbox that does not exist) given up at once and
shown on the ticket. Every attempt carries the same signed Message-ID, so a duplicate after a
crash is recognisable; the Reply-To carries the ticket's signed token, the subject its number.
Nothing but the reply itself (and the files staff attached to it, such as a return slip) is
sent: no earlier messages, no internal notes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from aftersale.core.worker import stop_requested
from aftersale.flows import channels
from aftersale.flows.models import MessagingSettings
from aftersale.flows.rendering import Rendered
from aftersale.service.mail_identity import reply_to_address, subject_for
from aftersale.service.models import Delivery, TicketMessage

logger = logging.getLogger("aftersale.service")

MAX_ATTEMPTS = 8
BATCH = 20
LEASE = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most six hours, between attempts."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _references(message: TicketMessage) -> list[str]:
    earlier = (
        TicketMessage.objects.filter(ticket_id=message.ticket_id, id__lt=message.pk)
        .exclude(email_message_id="")
        .exclude(kind__in=(TicketMessage.Kind.NOTE, TicketMessage.Kind.SYSTEM))
        .order_by("-id")
        .values_list("email_message_id", flat=True)[:10]
    )
    return [value for value in reversed(list(earlier)) if value.startswith("<")]


def email_for(message: TicketMessage, *, from_email: str, connection=None):
    """The e-mail a staff reply is sent as."""
    ticket = message.ticket
    with override(ticket.language or ticket.shop.default_language):
        subject = subject_for(ticket, _("Re: %(subject)s") % {"subject": ticket.subject})
    headers = {"Message-ID": message.email_message_id}
    references = _references(message)
    if references:
        headers["In-Reply-To"] = references[-1]
        headers["References"] = " ".join(references)
    email = EmailMultiAlternatives(
        subject=subject,
        body=message.body,
        from_email=from_email,
        to=[message.recipient],
        reply_to=[reply_to_address(ticket)],
        headers=headers,
        connection=connection,
    )
    email.attach_alternative(Rendered(subject, message.body).html, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as content:
            email.attach(attachment.name, content.read(), attachment.content_type)
    return email


def _due(now: datetime):
    return TicketMessage.objects.filter(
        delivery__in=(Delivery.PENDING, Delivery.RETRYING), next_attempt_at__lte=now
    ).order_by("next_attempt_at", "id")


def send_pending_replies(now: datetime | None = None) -> int:
    """Send the replies that are due, a batch per transaction; returns how many were sent."""
    sent = 0
    mailer = Connection()
    try:
        while not stop_requested():
            done, tried = _send_batch(mailer, now or timezone.now())
            sent += done
            if tried < BATCH:
                break
    finally:
        mailer.close()
    return sent


class Connection:
    """One mail connection for a pass, reopened after a failure that broke it."""

    def __init__(self) -> None:
        self.backend = None

    def open(self):
        if self.backend is None:
            backend = get_connection(fail_silently=False)
            backend.open()
            self.backend = backend
        return self.backend

    def reset(self) -> None:
        backend, self.backend = self.backend, None
        if backend is not None:
            try:
                backend.close()
            except Exception:  # a broken connection is dropped either way
                logger.debug("closing the mail connection failed", exc_info=True)

    close = reset


def _claim(now: datetime) -> list[TicketMessage]:
    """Take up to a batch of due replies for this worker: their next attempt moves a lease
    ahead, so no other worker sends them meanwhile (and a crashed worker's are sent again,
    with the same Message-ID, once the lease has passed)."""
    with transaction.atomic():
        rows = _due(now)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("id", flat=True)[:BATCH])
        _due(now).filter(id__in=ids).update(
            next_attempt_at=now + LEASE, send_attempts=F("send_attempts") + 1
        )
    return list(
        TicketMessage.objects.filter(id__in=ids)
        .select_related("ticket__shop")
        .order_by("next_attempt_at", "id")
    )


def _send_batch(mailer: Connection, now: datetime) -> tuple[int, int]:
    sent = 0
    batch = _claim(now)
    senders: dict[int, str] = {}
    for message in batch:
        shop = message.ticket.shop
        if shop.pk not in senders:
            settings = MessagingSettings.objects.filter(shop=shop).first()
            senders[shop.pk] = channels.sender_for(settings, shop.name)
        try:
            email_for(message, from_email=senders[shop.pk], connection=mailer.open()).send()
        except Exception as exc:
            failure = channels.failure_of(exc)
            if failure is None:
                raise
            if failure.reset:
                mailer.reset()
            _failed(message, failure.kind, failure.reply, now)
            continue
        TicketMessage.objects.filter(pk=message.pk).update(
            delivery=Delivery.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None
        )
        sent += 1
    return sent, len(batch)


def _failed(message: TicketMessage, kind: str, reply: str, now: datetime) -> None:
    temporary = kind == channels.TEMPORARY and message.send_attempts < MAX_ATTEMPTS
    message.delivery = Delivery.RETRYING if temporary else Delivery.FAILED
    message.next_attempt_at = now + backoff(message.send_attempts) if temporary else None
    message.last_error = reply[:2000]
    TicketMessage.objects.filter(pk=message.pk).update(
        delivery=message.delivery,
        next_attempt_at=message.next_attempt_at,
        last_error=message.last_error,
    )
    logger.warning("reply %s to ticket %s: %s", message.pk, message.ticket_id, reply)


def retry_reply(message: TicketMessage) -> None:
    """Staff asks for a failed reply to be sent again (to the ticket's address as it is now)."""
    with transaction.atomic():
        message = TicketMessage.objects.select_for_update().get(pk=message.pk)
        if message.delivery != Delivery.FAILED:
            return
        message.delivery = Delivery.PENDING
        message.recipient = message.ticket.email
        message.next_attempt_at = timezone.now()
        message.send_attempts = 0
        message.save(update_fields=["delivery", "recipient", "next_attempt_at", "send_attempts"])
