"""Sending outbox ``Message`` rows through their channel: e-mail via Django's e-mail backends
(SMTP by default, any django-anymail provider), SMS via ``settings.SMS_BACKEND``.

A ``Mailer`` keeps one e-mail connection open for a worker's pass and reopens it after a
connection-level failure. ``failure_of`` reads a failed send by its reply code: temporary (4xx,
a dropped or refused connection, a provider's 429/5xx) is retried, permanent (5xx) is given up
at once, and a hard bounce at RCPT TO (5.1.x, or 550/551/553 without an enhanced code) or a
provider's refused recipient also suppresses the address.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from email.utils import formataddr

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from aftersale.env import env_int
from aftersale.flows import sms, wire
from aftersale.flows.models import Channel, Kind, Message, MessagingSettings
from aftersale.flows.rendering import Rendered

logger = logging.getLogger("aftersale.flows")

TEMPORARY = Message.FailureClass.TEMPORARY
PERMANENT = Message.FailureClass.PERMANENT
BOUNCE = Message.FailureClass.BOUNCE
# Replies at RCPT TO that say the mailbox does not exist (RFC 5321 §4.2.3) when the server
# gives no enhanced status code; with one, its 5.1.x class says the same (RFC 3463).
HARD_BOUNCE_CODES = {550, 551, 553}
ENHANCED = re.compile(r"^\s*([245]\.\d{1,3}\.\d{1,3})\b")
# Provider HTTP statuses that say nothing about the message: retried like an SMTP 4xx.
TEMPORARY_HTTP = {401, 403, 408, 409, 425, 429}


def unsubscribe_url(message: Message) -> str:
    return f"{settings.SITE_URL}/u/{message.unsubscribe_token}/"


def sender_for(messaging: MessagingSettings | None, shop_name: str) -> str:
    if messaging is not None and messaging.sender_email:
        return formataddr((messaging.sender_name or shop_name, messaging.sender_email))
    return settings.DEFAULT_FROM_EMAIL


def message_id_header(message: Message, from_email: str) -> str:
    """The same Message-ID on every attempt, so a duplicate after a crash can be recognised."""
    domain = from_email.rsplit("@", 1)[-1].strip(">").strip() or "localhost"
    return f"<{message.idempotency_key}@{domain}>"


class AttachmentMissing(Exception):
    """A file the message is to carry is no longer in the storage: sending it cannot work."""


def _attach(email: EmailMultiAlternatives, message: Message) -> None:
    for item in message.attachments:
        try:
            with default_storage.open(item["file"], "rb") as content:
                data = content.read()
        except (FileNotFoundError, KeyError) as exc:
            raise AttachmentMissing(
                f"attachment {item.get('name', '?')!r} is no longer stored"
            ) from exc
        email.attach(item["name"], data, item.get("content_type") or "application/octet-stream")


def email_for(message: Message, *, from_email: str, connection=None) -> EmailMultiAlternatives:
    """The e-mail (Django's) for an outbox ``message``, with its Message-ID header (the
    message's own from ``headers`` if it has one), extra headers and attachments."""
    headers = {"Message-ID": message_id_header(message, from_email), **message.headers}
    if message.kind == Kind.MARKETING:
        # RFC 8058 one-click unsubscribe: mail clients POST "List-Unsubscribe=One-Click" here.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url(message)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=from_email,
        to=[message.recipient],
        headers=headers,
        connection=connection,
    )
    html = message.html or Rendered(message.subject, message.body).html
    email.attach_alternative(html, "text/html")
    _attach(email, message)
    return email


def provider_id(email: EmailMultiAlternatives) -> str:
    """The provider's id for a sent e-mail (Anymail's), else its Message-ID header."""
    status = getattr(email, "anymail_status", None)
    if status is not None and status.message_id:
        return str(status.message_id)
    return email.extra_headers["Message-ID"]


def send_email(message: Message, *, from_email: str, connection=None) -> str:
    """Send ``message`` by e-mail and return the provider's id (the Message-ID for SMTP)."""
    email = email_for(message, from_email=from_email, connection=connection)
    email.send(fail_silently=False)
    return provider_id(email)


def send(message: Message, *, from_email: str, connection=None) -> str:
    if message.channel == Channel.SMS:
        return sms.get_backend().send(
            message.recipient, message.body, idempotency_key=message.idempotency_key
        )
    return send_email(message, from_email=from_email, connection=connection)


# --- Outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """Why a send failed: ``kind`` is a Message.FailureClass; ``reply`` the server's words;
    ``reset`` says the connection is no longer usable and must be reopened."""

    kind: str
    reply: str
    reset: bool = False


def _reply_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}".strip()


def smtp_failure_class(code: int, text: str, *, at_rcpt: bool) -> str:
    """Temporary for a 4xx reply, a hard bounce for a mailbox that does not exist (at RCPT TO
    only), permanent for any other 5xx."""
    if code < 500:
        return TEMPORARY
    if at_rcpt:
        enhanced = ENHANCED.match(text)
        if enhanced is not None:
            return BOUNCE if enhanced.group(1).startswith("5.1.") else PERMANENT
        if code in HARD_BOUNCE_CODES:
            return BOUNCE
    return PERMANENT


def failure_of(exc: BaseException) -> Failure | None:
    """Classify a failed send, or None if ``exc`` is not a sending failure (a bug)."""
    if isinstance(exc, AttachmentMissing):
        return Failure(PERMANENT, str(exc))
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # One recipient per message: its (code, reply) pair.
        code, text = next(iter(exc.recipients.values()), (550, b"recipient refused"))
        reply = _reply_text(code, text)
        kind = smtp_failure_class(code, reply[4:], at_rcpt=True)
        # 421: the server is closing the connection (smtplib has closed its side).
        return Failure(kind, f"RCPT TO: {reply}", reset=code == 421)
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        stage = "MAIL FROM" if isinstance(exc, smtplib.SMTPSenderRefused) else "DATA"
        reply = _reply_text(exc.smtp_code, exc.smtp_error)
        kind = smtp_failure_class(exc.smtp_code, reply[4:], at_rcpt=False)
        # 421: the server is closing the connection.
        return Failure(kind, f"{stage}: {reply}", reset=exc.smtp_code == 421)
    if isinstance(exc, smtplib.SMTPResponseException):
        # Greeting, HELO, STARTTLS or AUTH refused: about the session, not this message.
        reply = _reply_text(exc.smtp_code, exc.smtp_error)
        return Failure(TEMPORARY, f"connection: {reply}", reset=True)
    if isinstance(exc, AnymailRecipientsRefused):
        return Failure(BOUNCE, f"{type(exc).__name__}: {_one_line(exc)}")
    if isinstance(exc, AnymailAPIError):
        status = exc.status_code
        if status is None or status >= 500 or status in TEMPORARY_HTTP:
            kind = TEMPORARY
        else:
            kind = PERMANENT
        return Failure(kind, f"{type(exc).__name__}: {_one_line(exc)}", reset=status is None)
    if isinstance(exc, OSError):  # refused, reset, timed out, disconnected (smtplib's too)
        return Failure(TEMPORARY, f"connection: {type(exc).__name__}: {exc}", reset=True)
    return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:1000]


# --- One connection per pass ----------------------------------------------------------------


def data_timeout() -> int:
    """Seconds to wait for the reply after the message content (RFC 5321 §4.5.3.2.6 says 10
    minutes): giving up sooner could send the message twice if the server took it anyway."""
    return env_int("FLOWS_SMTP_DATA_TIMEOUT", 600)


def _patient_data(smtp: smtplib.SMTP) -> None:
    """Wait ``data_timeout()`` for DATA's replies; other commands keep the usual timeout."""
    plain_data = smtp.data

    def data(msg):
        sock = smtp.sock
        usual = sock.gettimeout() if sock is not None else None
        if sock is not None:
            sock.settimeout(max(data_timeout(), usual or 0))
        try:
            return plain_data(msg)
        finally:
            if smtp.sock is not None:
                smtp.sock.settimeout(usual)

    smtp.data = data  # type: ignore[method-assign]


class Mailer:
    """One e-mail connection for a worker's pass: opened on the first e-mail, kept open, and
    reopened after a failure that broke it."""

    def __init__(self) -> None:
        self.backend = None
        self.senders: dict[str, str] = {}

    def send(self, message: Message, *, from_email: str) -> str:
        """Send ``message``; returns the provider's id (the Message-ID for SMTP)."""
        if message.channel == Channel.SMS:
            return send(message, from_email=from_email)
        backend = self._open()
        email = email_for(message, from_email=from_email, connection=backend)
        if isinstance(backend, SmtpBackend):
            # Written to the connection as the backend itself would (``EmailBackend._send``),
            # with the bytes built by ``wire``.
            encoding = email.encoding or settings.DEFAULT_CHARSET
            if from_email not in self.senders:
                self.senders[from_email] = wire.envelope_address(from_email, encoding)
            recipients = [wire.envelope_address(to, encoding) for to in email.recipients()]
            data = wire.as_bytes(email.message())
            backend.connection.sendmail(self.senders[from_email], recipients, data)
        else:
            email.send(fail_silently=False)
        return provider_id(email)

    def _open(self):
        if self.backend is None:
            backend = get_connection(fail_silently=False)
            backend.open()
            smtp = getattr(backend, "connection", None)
            if isinstance(smtp, smtplib.SMTP):
                _patient_data(smtp)
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
