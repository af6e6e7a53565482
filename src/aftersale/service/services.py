"""Changing tickets: the only place that writes them. Each function runs in one transaction
and records what happened on the customer's timeline.

Opening and customer messages (contact form, e-mail, API)::

    open_ticket(shop, *, email, name, subject, body, topic, source, customer=None, order=None,
                attachments=(), email_message_id=None, language="") -> Ticket
    add_customer_message(ticket, *, body, attachments=(), email_message_id=None,
                         in_reply_to=None) -> TicketMessage

A replay (the same ``email_message_id`` again) changes nothing and returns what the first
call made. Staff's work on a ticket (replies, notes, states, assignment, merging) follows
below them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.core.models import Shop
from aftersale.orders.models import Customer
from aftersale.service.attachments import Upload, check_uploads
from aftersale.service.models import (
    REOPENED_BY_CUSTOMER,
    Source,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketState,
    Topic,
)
from aftersale.timeline import types
from aftersale.timeline.services import record_event

MAX_SUBJECT = 300
MAX_BODY = 100_000


def _clean_text(body: str, field: str) -> str:
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ValidationError({field: _("Write something here.")})
    return body[:MAX_BODY]


def _next_number(shop: Shop) -> int:
    # Locks the shop row (PostgreSQL) so that two tickets opened at once get two numbers.
    Shop.objects.select_for_update().filter(pk=shop.pk).first()
    highest = Ticket.objects.for_shop(shop).aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


def _save_attachments(message: TicketMessage, uploads: list[Upload]) -> None:
    for upload in uploads:
        attachment = TicketAttachment(
            shop_id=message.shop_id,
            message=message,
            name=(upload.name or "attachment")[:200],
            content_type=upload.content_type.split(";")[0].strip().lower(),
            size=len(upload.content),
        )
        attachment.file.save(upload.name or "attachment", ContentFile(upload.content), save=False)
        attachment.save()


def _existing_message(shop, email_message_id: str | None) -> TicketMessage | None:
    if not email_message_id:
        return None
    return (
        TicketMessage.objects.for_shop(shop)
        .filter(email_message_id=email_message_id)
        .exclude(kind=TicketMessage.Kind.STAFF)
        .select_related("ticket")
        .first()
    )


def _customer_for(shop, email: str) -> Customer | None:
    if not email:
        return None
    return Customer.objects.for_shop(shop).filter(email__iexact=email).order_by("-id").first()


def open_ticket(
    shop,
    *,
    email: str,
    name: str,
    subject: str,
    body: str,
    topic: str,
    source: str,
    customer=None,
    order=None,
    attachments: Iterable[Upload] = (),
    email_message_id: str | None = None,
    language: str = "",
) -> Ticket:
    """A new ticket with the customer's first message (and files), numbered in the shop."""
    uploads = check_uploads(attachments)
    if topic not in Topic.values:
        raise ValidationError({"topic": _("Choose one of the topics.")})
    if source not in Source.values:
        raise ValidationError({"source": _("Unknown source.")})
    if customer is not None and customer.shop_id != shop.pk:
        raise ValidationError({"customer": _("That customer is not in this shop.")})
    if order is not None and (
        order.shop_id != shop.pk or (customer is not None and order.customer_id != customer.pk)
    ):
        raise ValidationError({"order": _("Choose one of the customer's own orders.")})
    email = (email or (customer.email if customer else "")).strip()
    if not email and customer is None:
        raise ValidationError({"email": _("Give an e-mail address we can answer to.")})
    body = _clean_text(body, "body")
    subject = " ".join((subject or "").split())[:MAX_SUBJECT] or body.splitlines()[0][:80]
    with transaction.atomic():
        replayed = _existing_message(shop, email_message_id)
        if replayed is not None:
            return replayed.ticket
        customer = customer or _customer_for(shop, email)
        if order is not None and customer is None:
            customer = order.customer
        now = timezone.now()
        ticket = Ticket.objects.create(
            shop=shop,
            number=_next_number(shop),
            customer=customer,
            email=email,
            name=(name or (customer.full_name if customer else "")).strip()[:200],
            language=language or (customer.language if customer else shop.default_language),
            subject=subject,
            topic=topic,
            order=order,
            source=source,
            waiting_since=now,
        )
        message = TicketMessage.objects.create(
            shop=shop,
            ticket=ticket,
            kind=TicketMessage.Kind.CUSTOMER,
            body=body,
            email_message_id=email_message_id or "",
        )
        _save_attachments(message, uploads)
        record_event(
            shop,
            types.TICKET_OPENED,
            subject=ticket,
            customer=customer,
            payload={"number": ticket.number, "topic": topic, "source": source},
            occurred_at=now,
        )
    return ticket


def add_customer_message(
    ticket: Ticket,
    *,
    body: str,
    attachments: Iterable[Upload] = (),
    email_message_id: str | None = None,
    in_reply_to: str | None = None,
) -> TicketMessage:
    """The customer wrote again: the message joins the ticket (the one it was merged into, if
    merged) and a waiting, snoozed or solved ticket opens again."""
    uploads = check_uploads(attachments)
    body = _clean_text(body, "body")
    with transaction.atomic():
        replayed = _existing_message(ticket.shop, email_message_id)
        if replayed is not None:
            return replayed
        ticket = _locked(ticket)
        while ticket.state == TicketState.MERGED and ticket.merged_into_id:
            ticket = _locked(ticket.merged_into)
        now = timezone.now()
        message = TicketMessage.objects.create(
            shop_id=ticket.shop_id,
            ticket=ticket,
            kind=TicketMessage.Kind.CUSTOMER,
            body=body,
            email_message_id=email_message_id or "",
            in_reply_to=in_reply_to or "",
        )
        _save_attachments(message, uploads)
        changed = ["waiting_since", "updated_at"]
        if ticket.waiting_since is None:
            ticket.waiting_since = now
        if ticket.state in REOPENED_BY_CUSTOMER:
            previous = ticket.state
            ticket.state = TicketState.OPEN
            ticket.snoozed_until = None
            ticket.solved_at = None
            changed += ["state", "snoozed_until", "solved_at"]
            _event(ticket, types.TICKET_REOPENED, now, {"from": previous})
        ticket.save(update_fields=changed)
        _event(ticket, types.TICKET_CUSTOMER_REPLIED, now, {"message": message.pk})
    return message


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("shop").get(pk=ticket.pk)


def _event(ticket: Ticket, type: str, now: datetime, payload: dict | None = None) -> None:
    record_event(
        ticket.shop,
        type,
        subject=ticket,
        customer=ticket.customer,
        payload={"number": ticket.number, **(payload or {})},
        occurred_at=now,
    )
