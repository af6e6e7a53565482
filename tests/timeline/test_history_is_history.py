"""History is history: a worker pass over imported old events sends no message, opens no case
and posts no webhook; the same events when recent are still acted on.

The walk-through's first start opened 1,366 unclaimed-parcel cases for orders up to two years
old and e-mailed those customers.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from aftersale.core.services import create_api_token
from aftersale.core.worker import registered_jobs, run_job
from aftersale.flows.models import FlowRun, Message
from aftersale.returns import withdrawals
from aftersale.returns.models import UnclaimedCase, Withdrawal
from aftersale.timeline import lag, types
from aftersale.timeline.models import Event
from aftersale.timeline.services import record_event
from aftersale.webhooks.models import WebhookDelivery
from aftersale.webhooks.services import add_webhook_endpoint
from tests.api.samples import order_payload
from tests.factories import ShipmentFactory
from tests.returns.fixtures import delivered_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True


def import_history(shop, at):
    """What an import of an order's story writes: an order placed, its parcel shipped and back
    unclaimed, and a withdrawal notice whose acknowledgement never went out, all at ``at``."""
    order = delivered_order(shop, delivered_at=at, placed_at=at - timedelta(days=2))
    record_event(shop, types.ORDER_PLACED, subject=order, customer=order.customer, occurred_at=at)
    parcel = ShipmentFactory(order=order, status="returned_to_sender", shipped_at=at)
    for event_type in (types.SHIPMENT_SHIPPED, types.SHIPMENT_RETURNED_TO_SENDER):
        record_event(shop, event_type, subject=parcel, customer=order.customer, occurred_at=at)
    withdrawals.notify_withdrawal(shop, order, now=at + timedelta(days=1))  # not acknowledged
    return order


def worker_pass():
    """One pass of the worker's jobs, after the events have settled (webhooks wait 10 s).
    (``run_once`` also recycles the database connection, which the test's transaction on
    PostgreSQL does not survive; its queued tasks have nothing to do here.)"""
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        for job in registered_jobs():
            assert run_job(job), job.name


def test_imported_history_older_than_every_lag_is_left_alone(shop_a, smtp):
    shop = shop_a.shop
    endpoint = add_webhook_endpoint(shop, url="http://127.0.0.1:9/hooks", event_types=[])
    two_years_ago = timezone.now() - timedelta(days=700)
    import_history(shop, two_years_ago)
    # Just older than the longest lag of all (the acknowledgements' 14 days).
    import_history(shop, timezone.now() - lag.WITHDRAWAL_ACKNOWLEDGEMENTS - timedelta(days=2))

    worker_pass()

    assert len(smtp.messages) == 0
    assert not Message.objects.exists()
    assert not FlowRun.objects.exists()
    assert not UnclaimedCase.objects.exists()
    assert not WebhookDelivery.objects.filter(endpoint=endpoint).exists()
    assert not Withdrawal.objects.exclude(acknowledged_at=None).exists()


def test_recent_events_are_still_acted_on(shop_a, smtp):
    shop = shop_a.shop
    endpoint = add_webhook_endpoint(shop, url="http://127.0.0.1:9/hooks", event_types=[])
    order = import_history(shop, timezone.now() - timedelta(hours=3))

    worker_pass()

    assert UnclaimedCase.objects.filter(order=order).count() == 1
    assert Withdrawal.objects.get(order=order).acknowledged_at is not None
    assert FlowRun.objects.filter(order=order).exists()  # the order-thanks flow started
    delivered = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert {d.event.type for d in delivered} >= {
        types.ORDER_PLACED,
        types.SHIPMENT_RETURNED_TO_SENDER,
    }
    recipients = {to for received in smtp.messages for to in received.message["To"].split(",")}
    assert recipients == {"aino@example.fi"}  # the unclaimed notice and the acknowledgement


def test_each_consumer_acts_up_to_its_own_lag(shop_a, smtp):
    shop = shop_a.shop
    endpoint = add_webhook_endpoint(shop, url="http://127.0.0.1:9/hooks", event_types=[])
    # Older than the webhooks' 3 days, younger than the unclaimed cases' 7 and the
    # acknowledgements' 14: the case is opened and acknowledged, nothing is posted.
    order = import_history(shop, timezone.now() - timedelta(days=5))

    worker_pass()

    assert UnclaimedCase.objects.filter(order=order).exists()
    assert Withdrawal.objects.get(order=order).acknowledged_at is not None
    assert not WebhookDelivery.objects.filter(endpoint=endpoint).exists()
    assert not FlowRun.objects.exists()  # the flows' own lag is 2 days by default


def test_the_demo_history_starts_nothing_on_first_start(smtp, settings):
    """The simulator's history ending a month ago, then the worker's first pass."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    end = date.today() - timedelta(days=30)
    call_command("demo", end_date=end, customers=40, seed=3, stdout=StringIO())
    imported = set(Event.objects.values_list("type", flat=True).distinct())
    assert {types.ORDER_PLACED, types.SHIPMENT_RETURNED_TO_SENDER} <= imported

    worker_pass()

    assert len(smtp.messages) == 0
    assert not Message.objects.exists()
    assert not FlowRun.objects.exists()
    assert not UnclaimedCase.objects.exists()


def test_last_years_orders_imported_through_the_api_start_nothing(shop_a, smtp, client):
    """The shop connects and sends its history through the API with the real dates."""
    shop = shop_a.shop
    endpoint = add_webhook_endpoint(shop, url="http://127.0.0.1:9/hooks", event_types=[])
    _, token = create_api_token(shop, name="history import")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def post(path, body):
        response = client.post(
            "/api/v1" + path, json.dumps(body), content_type="application/json", **headers
        )
        assert response.status_code in (200, 201), response.content

    post("/orders", order_payload(placed_at="2025-10-02T10:00:00+03:00"))
    post(
        "/shipments",
        {
            "external_id": "s-1",
            "order_external_id": "1001",
            "carrier": "posti",
            "tracking_number": "JJFI6400000000001",
            "events": [
                {"carrier_code": "20", "status": "shipped", "occurred_at": "2025-10-03T08:00:00Z"},
                {
                    "carrier_code": "99",
                    "status": "returned_to_sender",
                    "occurred_at": "2025-10-25T08:00:00Z",
                },
            ],
        },
    )
    assert Event.objects.filter(type=types.SHIPMENT_RETURNED_TO_SENDER).exists()

    worker_pass()

    assert len(smtp.messages) == 0
    assert not FlowRun.objects.exists()
    assert not UnclaimedCase.objects.exists()
    delivered = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert [d.event.type for d in delivered] == []
