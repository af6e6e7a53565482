"""Flows tests send through a real SMTP server on loopback; the clock is moved with time_machine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from aftersale.flows.models import LANGUAGES
from aftersale.flows.scheduler import run_due_steps
from aftersale.flows.triggers import process_events

# A Monday at noon in Helsinki: outside the default quiet hours.
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def smtp(smtp, settings):
    """The shared SMTP server (tests/conftest.py), with the public address links point at."""
    settings.SITE_URL = "https://aftersale.example"
    return smtp


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
