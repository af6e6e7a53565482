"""How a ticket is recognised in e-mail: signed reply addresses, signed Message-IDs and the
ticket number in the subject.

Outbound (used when staff replies)::

    reply_to_address(ticket) -> str
        "support+t1f-2s-<signature>@example.com": the shop's support address (setting
        ``SUPPORT_REPLY_ADDRESS``, else ``DEFAULT_FROM_EMAIL``) with a conversation token in
        the local part's "+" tag. The token names the shop and the ticket (base 36) and carries
        an HMAC over both, keyed from SECRET_KEY; it is lower case so that mail servers that
        fold the local part's case keep it valid.
    message_id_for(message) -> str
        "<as-1f-2s-9k-<signature>@example.com>": our own Message-ID for a TicketMessage, signed
        the same way over shop, ticket and message; the same every time it is asked for.
    subject_for(ticket, text) -> str
        ``text`` with "[#1234]" in front unless it already carries the ticket's tag.

Inbound (used by the mail receiver; each returns None for anything forged, malformed, of
another shop, or of a ticket that is gone)::

    ticket_for_token(shop, token_or_address) -> Ticket | None
        the token alone ("t1f-2s-…") or any address carrying it in its "+" tag.
    ticket_for_message_ids(shop, ids) -> Ticket | None
        ``ids`` from In-Reply-To and References, newest last as in the headers. Our signed
        Message-IDs are verified; other ids are looked up among the shop's stored ticket
        messages (a customer replying to their own earlier mail). The newest match wins.
    ticket_for_subject(shop, subject) -> Ticket | None
        the fallback: "[#1234]" in the subject, for the shop's ticket number 1234.

A merged ticket resolves to the ticket it was merged into. None of these write anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

from aftersale.service.models import Ticket, TicketMessage

TOKEN_SALT = "aftersale.service.conversation"
MESSAGE_ID_SALT = "aftersale.service.message-id"
SIGNATURE_LENGTH = 20
TOKEN = re.compile(r"^t([0-9a-z]{1,13})-([0-9a-z]{1,13})-([0-9a-f]{20})$")
MESSAGE_ID = re.compile(r"^<?as-([0-9a-z]{1,13})-([0-9a-z]{1,13})-([0-9a-z]{1,13})-([0-9a-f]{20})@")
SUBJECT_TAG = re.compile(r"\[#(\d{1,9})\]")
MAX_IDS = 50


def _sign(salt: str, *parts: int) -> str:
    value = ":".join(str(part) for part in parts)
    return salted_hmac(salt, value, algorithm="sha256").hexdigest()[:SIGNATURE_LENGTH]


def support_address() -> str:
    """The address customers write to and replies come back to, without a display name."""
    configured = getattr(settings, "SUPPORT_REPLY_ADDRESS", "") or settings.DEFAULT_FROM_EMAIL
    return parseaddr(configured)[1] or "support@localhost"


def _domain() -> str:
    return support_address().rsplit("@", 1)[-1] or "localhost"


def conversation_token(ticket: Ticket) -> str:
    shop_id, ticket_id = ticket.shop_id, ticket.pk
    signature = _sign(TOKEN_SALT, shop_id, ticket_id)
    return f"t{int_to_base36(shop_id)}-{int_to_base36(ticket_id)}-{signature}"


def reply_to_address(ticket: Ticket) -> str:
    local, _at, domain = support_address().partition("@")
    local = local.split("+", 1)[0]
    return f"{local}+{conversation_token(ticket)}@{domain}"


def message_id_for(message: TicketMessage) -> str:
    shop_id, ticket_id, message_id = message.shop_id, message.ticket_id, message.pk
    signature = _sign(MESSAGE_ID_SALT, shop_id, ticket_id, message_id)
    parts = "-".join(int_to_base36(part) for part in (shop_id, ticket_id, message_id))
    return f"<as-{parts}-{signature}@{_domain()}>"


def subject_tag(ticket: Ticket) -> str:
    return f"[#{ticket.number}]"


def subject_for(ticket: Ticket, text: str) -> str:
    tag = subject_tag(ticket)
    return text if tag in text else f"{tag} {text}".strip()


def _follow_merges(ticket: Ticket | None) -> Ticket | None:
    seen = set()
    while ticket is not None and ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = Ticket.objects.for_shop(ticket.shop_id).filter(pk=ticket.merged_into_id).first()
    return ticket


def _ticket(shop, ticket_id: int) -> Ticket | None:
    return _follow_merges(Ticket.objects.for_shop(shop).filter(pk=ticket_id).first())


def _int36(text: str) -> int | None:
    try:
        return base36_to_int(text)
    except ValueError:
        return None


def token_in(token_or_address: str) -> str:
    """The token from an address's "+" tag ("support+TOKEN@…"), or the text itself."""
    text = (token_or_address or "").strip().strip("<>").lower()
    if "@" in text:
        local = text.rsplit("@", 1)[0]
        text = local.split("+", 1)[1] if "+" in local else ""
    return text


def ticket_for_token(shop, token_or_address: str) -> Ticket | None:
    match = TOKEN.match(token_in(token_or_address))
    if match is None:
        return None
    shop_id, ticket_id = _int36(match.group(1)), _int36(match.group(2))
    if shop_id is None or ticket_id is None or shop_id != shop.pk:
        return None
    if not constant_time_compare(match.group(3), _sign(TOKEN_SALT, shop_id, ticket_id)):
        return None
    return _ticket(shop, ticket_id)


def _ticket_id_from_our_message_id(shop, message_id: str) -> int | None:
    match = MESSAGE_ID.match(message_id.lower())
    if match is None:
        return None
    numbers = [_int36(match.group(i)) for i in (1, 2, 3)]
    if None in numbers or numbers[0] != shop.pk:
        return None
    shop_id, ticket_id, message_pk = numbers
    expected = _sign(MESSAGE_ID_SALT, shop_id, ticket_id, message_pk)
    if not constant_time_compare(match.group(4), expected):
        return None
    return ticket_id


def ticket_for_message_ids(shop, ids: Iterable[str]) -> Ticket | None:
    wanted = [value.strip() for value in ids if value and value.strip()][-MAX_IDS:]
    for message_id in reversed(wanted):
        if message_id.lower().startswith(("<as-", "as-")):
            ticket_id = _ticket_id_from_our_message_id(shop, message_id)
            if ticket_id is not None:
                ticket = _ticket(shop, ticket_id)
                if ticket is not None:
                    return ticket
            continue
        bare = message_id.strip("<>")
        stored = (
            TicketMessage.objects.for_shop(shop)
            .filter(email_message_id__in=[message_id, f"<{bare}>", bare])
            .exclude(kind=TicketMessage.Kind.STAFF)
            .order_by("-id")
            .values_list("ticket_id", flat=True)
            .first()
        )
        if stored is not None:
            ticket = _ticket(shop, stored)
            if ticket is not None:
                return ticket
    return None


def ticket_for_subject(shop, subject: str) -> Ticket | None:
    match = SUBJECT_TAG.search(subject or "")
    if match is None:
        return None
    ticket = Ticket.objects.for_shop(shop).filter(number=int(match.group(1))).first()
    return _follow_merges(ticket)
