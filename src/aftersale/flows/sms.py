"""SMS providers. ``settings.SMS_BACKEND`` names the class; each has ``send(to, text) -> id``.

A provider integration subclasses ``BaseBackend`` and raises ``SmsError`` on failure (the step is
retried with backoff). ``LoggingBackend`` is for development and tests: it sends nothing, logs
the text and keeps it in ``LoggingBackend.outbox``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("aftersale.sms")


class SmsError(Exception):
    """The provider did not accept the message."""


@dataclass(frozen=True)
class SentSms:
    to: str
    text: str
    id: str


class BaseBackend:
    def send(self, to: str, text: str, *, idempotency_key: str = "") -> str:
        """Send ``text`` to the phone number ``to``; return the provider's message id."""
        raise NotImplementedError


class LoggingBackend(BaseBackend):
    outbox: list[SentSms] = []

    def send(self, to: str, text: str, *, idempotency_key: str = "") -> str:
        message_id = f"log-{uuid.uuid4().hex}"
        logger.info("SMS to %s (%s): %s", to, message_id, text)
        LoggingBackend.outbox.append(SentSms(to=to, text=text, id=message_id))
        return message_id


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()
