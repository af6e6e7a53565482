"""An API client per shop: ``api(shop).post("/orders", {...})`` with the shop's bearer token."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from aftersale.core.services import create_api_token


@dataclass
class ApiClient:
    client: Client
    token: str

    def _headers(self, headers):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}", **(headers or {})}

    def get(self, path, params=None, headers=None):
        return self.client.get("/api/v1" + path, params or {}, **self._headers(headers))

    def post(self, path, body, headers=None, raw=False):
        data = body if raw else json.dumps(body)
        return self.client.post(
            "/api/v1" + path, data, content_type="application/json", **self._headers(headers)
        )


@pytest.fixture
def api(db):
    """``api(shop)`` gives a client that authenticates as a fresh token of ``shop``."""

    def make(shop):
        _, plain = create_api_token(shop, name="test")
        return ApiClient(Client(), plain)

    return make


def order_payload(external_id="1001", **overrides):
    payload = {
        "external_id": external_id,
        "number": f"#{external_id}",
        "placed_at": "2026-11-02T10:00:00+02:00",
        "currency": "EUR",
        "shipping_cents": 590,
        "delivery_method": "pickup_point",
        "carrier": "posti",
        "pickup_point": {"carrier": "posti", "code": "001234", "name": "K-Market Kamppi"},
        "shipping_address": {
            "name": "Aino Virtanen",
            "street": "Mannerheimintie 1 A 5",
            "postcode": "00100",
            "city": "Helsinki",
        },
        "customer": {
            "external_id": "c-1",
            "email": "aino@example.fi",
            "first_name": "Aino",
            "last_name": "Virtanen",
        },
        "lines": [
            {
                "external_id": f"{external_id}-1",
                "sku": "TEE-M",
                "name": "T-shirt",
                "quantity": 2,
                "unit_price_cents": 1990,
                "vat_cents": 794,
            },
            {
                "external_id": f"{external_id}-2",
                "sku": "CAP",
                "name": "Cap",
                "unit_price_cents": 990,
            },
        ],
    }
    payload.update(overrides)
    return payload


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The shared fixtures hash passwords; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
