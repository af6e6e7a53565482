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


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Rate-limit counters live in the cache (a database table without Redis); each test
    starts with none."""
    from django.core.cache import cache

    if "transactional_db" not in request.fixturenames:
        request.getfixturevalue("db")
    cache.clear()
