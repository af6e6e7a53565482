"""Fixtures of the withdrawal stories: fresh rate limits (the SMTP server: tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
