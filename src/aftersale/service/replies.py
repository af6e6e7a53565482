"""A staff reply's e-mail: written to the flows app's outbox as a transactional message in the
same transaction as the reply, and sent, retried and recorded there (flows/direct.py), like
every other e-mail to a shop's customer.

The outbox message carries what makes the reply thread: our signed Message-ID (the same on
every attempt, so a duplicate after a crash is recognisable), In-Reply-To and References of the
earlier messages, a Reply-To with the ticket's signed token and the ticket number in the
subject; the HTML part is made from the text when it is sent. Its attachments are the reply's
own files (a return slip), referenced by their storage names. Nothing but the reply itself is
sent: no earlier messages, no internal notes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import override

from aftersale.flows.direct import queue_email
from aftersale.flows.models import Message
from aftersale.service.mail_identity import reply_to_address, subject_for
from aftersale.service.models import TicketAttachment, TicketMessage


def outbox_key(message: TicketMessage) -> str:
    """The reply's idempotency key in the outbox: one e-mail per reply."""
    return f"ticket-reply-{message.pk}"


def references(message: TicketMessage) -> list[str]:
    """The Message-IDs of the ticket's earlier e-mails (at most 10, oldest first)."""
    earlier = (
        TicketMessage.objects.filter(ticket_id=message.ticket_id, id__lt=message.pk)
        .exclude(email_message_id="")
        .exclude(kind__in=(TicketMessage.Kind.NOTE, TicketMessage.Kind.SYSTEM))
        .order_by("-id")
        .values_list("email_message_id", flat=True)[:10]
    )
    return [value for value in reversed(list(earlier)) if value.startswith("<")]


def headers_for(message: TicketMessage) -> dict[str, str]:
    headers = {
        "Message-ID": message.email_message_id,
        "Reply-To": reply_to_address(message.ticket),
    }
    earlier = references(message)
    if earlier:
        headers["In-Reply-To"] = earlier[-1]
        headers["References"] = " ".join(earlier)
    return headers


def queue_reply(message: TicketMessage, attachments: list[TicketAttachment]) -> Message:
    """Write the reply's e-mail to the outbox, to the ticket's address, in the ticket's
    language; the caller links it from the reply (``outbox_message``)."""
    ticket = message.ticket
    language = ticket.language or ticket.shop.default_language
    with override(language):
        subject = subject_for(ticket, _("Re: %(subject)s") % {"subject": ticket.subject})
    return queue_email(
        ticket.shop,
        key=outbox_key(message),
        recipient=ticket.email,
        subject=subject,
        body=message.body,
        language=language,
        customer=ticket.customer,
        headers=headers_for(message),
        attachments=[
            {"name": item.name, "content_type": item.content_type, "file": item.file.name}
            for item in attachments
        ],
    )
