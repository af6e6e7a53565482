"""Loyalty tests: a running programme in shop A, a clock moved with time_machine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from aftersale.loyalty import services
from aftersale.loyalty.models import Tier

# A Monday.
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def programme(shop_a):
    """Shop A runs a programme from a week before START: 2 points per euro, 100 for a first
    order, 50 for a written review, tiers Silver (200 €) and Gold (500 €, ×1.5)."""
    services.save_programme(
        shop_a.shop, enabled=True, starts_at=datetime(2026, 10, 26, tzinfo=UTC), grace_days=30
    )
    services.save_rule(shop_a.shop, points_per_euro=2, first_order_bonus=100, review_bonus=50)
    Tier.objects.create(shop=shop_a.shop, name="Silver", threshold=20000, free_returns=True)
    Tier.objects.create(
        shop=shop_a.shop, name="Gold", threshold=50000, multiplier_percent=150, early_access=True
    )
    return shop_a.shop


@pytest.fixture
def signed_in(client):
    """``signed_in(order)`` finds ``order`` in its shop's portal by number and e-mail."""
    from django.core.cache import cache

    cache.clear()  # fresh lookup counters

    def sign_in(order):
        response = client.post(
            f"/s/{order.shop.slug}/", {"number": order.number, "email": order.customer.email}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        return client

    return sign_in


@pytest.fixture
def api():
    """``api(shop)`` gives a client that authenticates as a fresh token of ``shop``."""
    from django.test import Client

    from aftersale.core.services import create_api_token
    from tests.api.conftest import ApiClient

    def make(shop):
        _, plain = create_api_token(shop, name="test")
        return ApiClient(Client(), plain)

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
