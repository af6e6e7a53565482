"""From an inbound e-mail to a ticket: the one pipeline behind the SMTP receiver and the
providers' webhooks.

For each shop the mail reaches (``routing``):

1. automatic mail (``automatic``) and mail from one of our own addresses are dropped: no
   ticket, no answer, only a log line;
2. a sender who wrote to the shop more than ``MAIL_IN_RATE_LIMIT`` times in the last hour is
   held off (the SMTP receiver answers 451, so a person's server tries again later);
3. the mail threads onto a ticket, in this order: the signed conversation token in the
   recipient address, our signed Message-IDs (or the customer's own earlier ones) in
   In-Reply-To/References, the "[#1234]" ticket number in the subject when the sender is the
   ticket's own address; otherwise, or when that ticket is closed, it opens a new ticket
   (source e-mail). A solved, waiting or snoozed ticket opens again (``services``).

Files the desk does not keep (kind or size, see ``service.attachments``) are left out and
named at the end of the message so staff know to ask. A mail delivered twice (same
Message-ID) changes nothing the second time.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from aftersale.core import limits
from aftersale.service import mail_identity, services
from aftersale.service.attachments import MAX_BYTES, MAX_FILES, Upload, content_matches
from aftersale.service.inbound.automatic import automatic_kind
from aftersale.service.inbound.message import InboundMail
from aftersale.service.inbound.routing import Route, is_ours, routes_for
from aftersale.service.models import Source, Ticket, TicketState, Topic

logger = logging.getLogger("aftersale.service.mail")

RATE_WINDOW_SECONDS = 3600


class Outcome(StrEnum):
    OPENED = "opened"
    APPENDED = "appended"
    IGNORED = "ignored"  # automatic mail or a loop: never a ticket, never an answer
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class Delivery:
    route: Route
    outcome: Outcome
    ticket: Ticket | None = None
    reason: str = ""


def recipients_of(mail: InboundMail) -> list[str]:
    """Where the mail was delivered: the envelope when known, else what its headers say."""
    return list(mail.envelope_recipients) or mail.header_recipients


def receive(mail: InboundMail) -> list[Delivery]:
    """Deliver ``mail`` to every shop it reaches. Raises ValidationError for mail that can
    never become a ticket (a sender we could not answer), DatabaseError for trouble worth a
    retry; everything else is an outcome."""
    return [deliver(mail, route) for route in routes_for(recipients_of(mail))]


def deliver(mail: InboundMail, route: Route) -> Delivery:
    shop = route.shop
    kind = automatic_kind(mail)
    if kind is not None:
        logger.info("%s: %s from %s dropped (no ticket, no answer)", shop.slug, kind, mail.sender)
        return Delivery(route, Outcome.IGNORED, reason=str(kind))
    if mail.sender and is_ours(mail.sender):
        logger.warning("%s: mail from our own address %r dropped", shop.slug, mail.sender)
        return Delivery(route, Outcome.IGNORED, reason="loop")
    if not _answerable(mail.sender):
        raise ValidationError(
            _("The sender's address %(address)s cannot be answered.")
            % {"address": mail.sender[:100]}
        )
    if _over_rate_limit(shop, mail.sender):
        logger.warning("%s: %s wrote too often; held off", shop.slug, mail.sender)
        return Delivery(route, Outcome.RATE_LIMITED, reason="rate_limited")
    ticket = thread(mail, route)
    if ticket is not None and ticket.state == TicketState.CLOSED:
        ticket = None  # closed for good: a new matter, where staff will see it
    with translation.override(_language(shop, ticket)):
        uploads, body = _files_and_body(mail)
    message_id = mail.message_id or _made_up_message_id(mail)
    if ticket is not None:
        message = services.add_customer_message(
            ticket,
            body=body,
            attachments=uploads,
            email_message_id=message_id,
            in_reply_to=(mail.in_reply_to or ("",))[-1],
        )
        logger.info("%s: e-mail from %s added to #%s", shop.slug, mail.sender, ticket.number)
        return Delivery(route, Outcome.APPENDED, ticket=message.ticket)
    ticket = services.open_ticket(
        shop,
        email=mail.sender,
        name=mail.sender_name,
        subject=mail.subject or body.splitlines()[0][:80],
        body=body,
        topic=Topic.OTHER,
        source=Source.EMAIL,
        attachments=uploads,
        email_message_id=message_id,
    )
    logger.info("%s: e-mail from %s opened #%s", shop.slug, mail.sender, ticket.number)
    return Delivery(route, Outcome.OPENED, ticket=ticket)


def thread(mail: InboundMail, route: Route) -> Ticket | None:
    """The shop's ticket this mail answers, or None for a new matter."""
    shop = route.shop
    for address in (route.address, *mail.header_recipients):
        ticket = mail_identity.ticket_for_token(shop, address)
        if ticket is not None:
            return ticket
    ticket = mail_identity.ticket_for_message_ids(shop, mail.thread_ids)
    if ticket is not None:
        return ticket
    ticket = mail_identity.ticket_for_subject(shop, mail.subject)
    if ticket is not None and ticket.email.strip().lower() == mail.sender:
        return ticket
    return None


def _answerable(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return len(address) <= 254


def _over_rate_limit(shop, sender: str) -> bool:
    digest = hashlib.sha256(sender.encode()).hexdigest()[:32]
    return limits.count(f"mail-in:{shop.pk}:{digest}", RATE_WINDOW_SECONDS) > (
        settings.MAIL_IN_RATE_LIMIT
    )


def _language(shop, ticket: Ticket | None) -> str:
    return (ticket.language if ticket is not None else "") or shop.default_language


def _files_and_body(mail: InboundMail) -> tuple[list[Upload], str]:
    kept: list[Upload] = []
    left_out: list[str] = []
    for attachment in mail.attachments:
        content_type = attachment.content_type.lower()
        if len(kept) >= MAX_FILES:
            left_out.append(
                _("%(name)s (more than %(count)d files)")
                % {"name": attachment.name, "count": MAX_FILES}
            )
        elif attachment.size > MAX_BYTES:
            left_out.append(
                _("%(name)s (larger than %(limit)s)")
                % {"name": attachment.name, "limit": filesizeformat(MAX_BYTES)}
            )
        elif not content_matches(content_type, attachment.content):
            left_out.append(
                _("%(name)s (not a picture, a PDF or a text file)") % {"name": attachment.name}
            )
        else:
            kept.append(Upload(attachment.name, content_type, attachment.content))
    body = mail.text.strip() or (_("(The e-mail had no text.)"))
    if left_out:
        body += "\n\n" + _("Files in the e-mail that were not kept: %(files)s") % {
            "files": "; ".join(left_out)
        }
    return kept, body


def _made_up_message_id(mail: InboundMail) -> str:
    """A stable id for mail without a Message-ID, so a second delivery changes nothing."""
    seed = "\n".join([mail.sender, mail.subject, mail.header("Date"), mail.full_text])
    return f"<{hashlib.sha256(seed.encode()).hexdigest()[:40]}@no-message-id.invalid>"
