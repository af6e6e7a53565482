"""Sending one outbox ``Message`` through its channel: e-mail via Django's e-mail backends
(SMTP by default, any django-anymail provider), SMS via ``settings.SMS_BACKEND``."""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from aftersale.flows import sms
from aftersale.flows.models import Channel, Kind, Message, MessagingSettings
from aftersale.flows.rendering import Rendered


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


def send_email(message: Message, *, from_email: str, connection=None) -> str:
    """Send ``message`` by e-mail and return the provider's id (the Message-ID for SMTP)."""
    headers = {"Message-ID": message_id_header(message, from_email)}
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
    email.attach_alternative(Rendered(message.subject, message.body).html, "text/html")
    email.send(fail_silently=False)
    status = getattr(email, "anymail_status", None)
    if status is not None and status.message_id:
        return str(status.message_id)
    return headers["Message-ID"]


def send(message: Message, *, from_email: str, connection=None) -> str:
    if message.channel == Channel.SMS:
        return sms.get_backend().send(
            message.recipient, message.body, idempotency_key=message.idempotency_key
        )
    return send_email(message, from_email=from_email, connection=connection)
