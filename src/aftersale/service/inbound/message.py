"""An e-mail as the desk reads it.

``parse_message`` takes the raw bytes (from the SMTP receiver) or an already parsed
``email.message.EmailMessage`` (Anymail's ``AnymailInboundMessage`` is one) and returns an
``InboundMail``: who wrote, to whom, the subject, the new text with quoted history and the
signature trimmed (the full text is kept beside it), the HTML, the files, and the ids that
thread a reply (Message-ID, In-Reply-To, References). Nothing here touches the database.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from aftersale.service.inbound.quoting import trim_reply

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Header values longer than this are cut when kept (a hostile message may carry huge ones).
MAX_HEADER_CHARS = 2000
MAX_HEADERS = 200


@dataclass(frozen=True)
class InboundAttachment:
    name: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class InboundMail:
    sender: str  # the From address, lower-cased
    sender_name: str
    envelope_sender: str | None  # MAIL FROM / Return-Path; "" is the null sender of a bounce
    to: tuple[str, ...]
    cc: tuple[str, ...]
    delivered_to: tuple[str, ...]
    envelope_recipients: tuple[str, ...]
    subject: str
    text: str  # the new text: quoted history and signature trimmed
    full_text: str  # the whole text part as it came
    html: str
    attachments: tuple[InboundAttachment, ...]
    message_id: str  # "<…>" or ""
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    headers: tuple[tuple[str, str], ...] = field(repr=False)
    content_type: str = "text/plain"
    part_types: tuple[str, ...] = ()

    def header(self, name: str) -> str:
        """The first value of header ``name`` ("" if absent)."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return ""

    def has_header(self, name: str) -> bool:
        wanted = name.lower()
        return any(key.lower() == wanted for key, _value in self.headers)

    @property
    def thread_ids(self) -> list[str]:
        """References then In-Reply-To, oldest first: the ids a reply may point to."""
        ids = list(self.references)
        ids += [value for value in self.in_reply_to if value not in ids]
        return ids

    @property
    def header_recipients(self) -> list[str]:
        """Every address the message names as a recipient, most telling first."""
        seen: list[str] = []
        for address in (*self.delivered_to, *self.to, *self.cc):
            if address and address not in seen:
                seen.append(address)
        return seen


def _text(value) -> str:
    """A header as one line of text; undecodable parts as they came."""
    if value is None:
        return ""
    try:
        text = str(value)
    except Exception:  # a malformed encoded word: keep the raw characters
        text = value.encode("ascii", "replace").decode() if isinstance(value, str) else ""
    return " ".join(text.split())


def _addresses(message: Message, name: str) -> tuple[str, ...]:
    values = [_text(value) for value in message.get_all(name, [])]
    found = []
    for _display, address in getaddresses(values):
        address = address.strip().lower()
        if "@" in address and address not in found:
            found.append(address)
    return tuple(found)


def _ids(value: str) -> tuple[str, ...]:
    ids = MESSAGE_ID.findall(value or "")
    if not ids and value and value.strip() and " " not in value.strip():
        ids = [f"<{value.strip().strip('<>')}>"]  # an id without its angle brackets
    return tuple(ids)


def _decoded(part: Message) -> str:
    try:
        content = part.get_content()
    except (LookupError, KeyError, ValueError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace")
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    return str(content).replace("\r\n", "\n").replace("\x00", "")


def text_from_html(markup: str) -> str:
    """Readable text of an HTML body (for mail that has no text part)."""
    markup = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</li\s*>|</tr\s*>|</h\d\s*>", "\n", markup)
    markup = re.sub(r"(?i)<blockquote\b", "\n<blockquote", markup)
    text = html.unescape(re.sub(r"<[^>]*>", "", markup))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _bodies(message: EmailMessage) -> tuple[Message | None, Message | None]:
    try:
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
    except (AttributeError, KeyError):
        return None, None
    return text_part, html_part


def _attachments(message: EmailMessage, bodies: tuple) -> tuple[InboundAttachment, ...]:
    found = []
    for part in message.walk():
        if part.is_multipart() or any(part is body for body in bodies):
            continue
        content_type = part.get_content_type()
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if not filename and disposition != "attachment" and content_type.startswith("text/"):
            continue  # an alternative body or a report's text part, not a file
        if content_type.startswith("message/") or content_type == "text/rfc822-headers":
            continue  # a bounce report's machine-readable parts
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload:
            continue
        name = " ".join((filename or "").split())[:200] or f"attachment-{len(found) + 1}"
        found.append(InboundAttachment(name=name, content_type=content_type, content=payload))
    return tuple(found)


def parse_message(
    raw: bytes | EmailMessage,
    *,
    envelope_sender: str | None = None,
    envelope_recipients: tuple[str, ...] | list[str] = (),
) -> InboundMail:
    """Read one e-mail. ``envelope_sender`` is MAIL FROM ("" for the null sender of a bounce);
    without it the Return-Path header stands in."""
    if isinstance(raw, bytes | bytearray):
        message = email.message_from_bytes(bytes(raw), policy=email.policy.default)
    else:
        message = raw
    sender_name, sender = parseaddr(_text(message.get("From")))
    if envelope_sender is None and message.get("Return-Path") is not None:
        envelope_sender = parseaddr(_text(message.get("Return-Path")))[1]
    bodies = _bodies(message)
    text_part, html_part = bodies
    markup = _decoded(html_part) if html_part is not None else ""
    full_text = _decoded(text_part) if text_part is not None else text_from_html(markup)
    headers = tuple(
        (str(key), _text(value)[:MAX_HEADER_CHARS])
        for key, value in list(message.items())[:MAX_HEADERS]
    )
    return InboundMail(
        sender=sender.strip().lower(),
        sender_name=sender_name.strip()[:200],
        envelope_sender=envelope_sender.strip().lower() if envelope_sender is not None else None,
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        delivered_to=_addresses(message, "Delivered-To")
        + _addresses(message, "X-Original-To")
        + _addresses(message, "Envelope-To"),
        envelope_recipients=tuple(address.strip().lower() for address in envelope_recipients),
        subject=_text(message.get("Subject"))[:998],
        text=trim_reply(full_text),
        full_text=full_text,
        html=markup,
        attachments=_attachments(message, bodies),
        message_id=(_ids(_text(message.get("Message-ID"))) or ("",))[0],
        in_reply_to=_ids(_text(message.get("In-Reply-To"))),
        references=_ids(_text(message.get("References"))),
        headers=headers,
        content_type=message.get_content_type(),
        part_types=tuple(part.get_content_type() for part in message.walk()),
    )
