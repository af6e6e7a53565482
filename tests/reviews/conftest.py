"""Reviews tests send through the real SMTP server; the clock is moved with time_machine."""

from __future__ import annotations

import pytest

from tests.flows.conftest import START, clock, smtp  # noqa: F401  (fixtures)
from tests.flows.helpers import turn_off_builtins


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded photos go to a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def shop(shop_a):
    shop = shop_a.shop
    turn_off_builtins(shop)
    return shop


__all__ = ["START"]
