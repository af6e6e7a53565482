"""Ledger events reach the shop's webhook endpoints, signed, like every timeline event."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from aftersale.loyalty import services
from aftersale.webhooks.delivery import SETTLE, queue_new_events, send_due_deliveries
from aftersale.webhooks.services import add_webhook_endpoint
from tests.factories import CustomerFactory
from tests.webhooks.test_delivery import Receiver


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def receiver():
    made = Receiver([])
    yield made
    made.close()


def test_a_subscribed_endpoint_gets_the_ledger_events(programme, clock, receiver, shop_b):
    add_webhook_endpoint(
        programme,
        url=receiver.url,
        event_types=["loyalty.points_earned", "loyalty.points_vested", "loyalty.points_redeemed"],
    )
    clock.shift(timedelta(seconds=1))
    customer = CustomerFactory(shop=programme, external_id="c-9")
    entry = services.earn(
        programme,
        customer,
        points=120,
        source_type="order_line",
        source_id=1,
        rule=None,
        vests_on=date(2026, 11, 20),
    )
    services.vest_together(programme, [entry], at=timezone.now())
    services.redeem(programme, customer, points=20, source_type="reward", source_id=5)
    other = CustomerFactory(shop=shop_b.shop)
    services.adjust(shop_b.shop, other, points=5, reason="x", staff_user=None)  # not shop A's
    clock.shift(SETTLE + timedelta(seconds=1))
    queue_new_events()
    send_due_deliveries()
    bodies = [json.loads(body) for _headers, body in receiver.requests]
    assert [(b["type"], b["customer_external_id"]) for b in bodies] == [
        ("loyalty.points_earned", "c-9"),
        ("loyalty.points_vested", "c-9"),
        ("loyalty.points_redeemed", "c-9"),
    ]
    assert bodies[1]["data"]["points"] == 120 and bodies[1]["data"]["available"] == 120
    assert bodies[2]["data"]["points"] == -20 and bodies[2]["data"]["available"] == 100
    assert all(headers["Aftersale-Signature"].startswith("t=") for headers, _ in receiver.requests)
