"""Delivery tests need shops, not users: plain shops keep them fast (no password hashing)."""

from __future__ import annotations

import pytest

from tests.factories import ShopFactory


@pytest.fixture
def shop(db):
    return ShopFactory(name="Pohjola Style", slug="pohjola")


@pytest.fixture
def other_shop(db):
    return ShopFactory(name="Saaristo Tech", slug="saaristo")
