"""Flows tests send through a real SMTP server on loopback; the clock is moved with time_machine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from aftersale.flows.models import LANGUAGES
from aftersale.flows.scheduler import run_due_steps
from aftersale.flows.triggers import process_events
from tests.smtp import SmtpServer

# A Monday at noon in Helsinki: outside the default quiet hours.
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def smtp(settings):
    """A running SMTP server; Django's e-mail settings point at it. Yields its Mailbox."""
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.SITE_URL = "https://aftersale.example"
    yield server.mailbox
    server.stop()


@pytest.fixture
def clock():
    """The current time, frozen at START; ``clock.shift(timedelta)`` moves it."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def worker_pass() -> None:
    """What one pass of ``aftersale worker`` does for flows."""
    process_events()
    run_due_steps()


__all__ = ["LANGUAGES", "START", "worker_pass"]
