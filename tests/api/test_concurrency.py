"""Two deliveries of the same order at the same moment store one order (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from aftersale.orders.models import Customer, Order, OrderLine
from aftersale.orders.services import upsert_order
from tests.api.samples import order_payload

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer")


def deliver_together(shop, payloads):
    barrier = threading.Barrier(len(payloads))
    results, errors = [], []

    def deliver(payload):
        try:
            barrier.wait()
            results.append(upsert_order(shop, payload))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_concurrent_deliveries_of_one_order_store_one_order(shop_a):
    for attempt in range(5):
        external_id = f"race-{attempt}"
        payload = order_payload(external_id)
        payload["customer"]["external_id"] = f"c-{attempt}"
        results, errors = deliver_together(shop_a.shop, [payload] * 4)
        assert errors == []
        assert sum(r.created for r in results) == 1
        assert Order.objects.filter(external_id=external_id).count() == 1
        assert OrderLine.objects.filter(order__external_id=external_id).count() == 2
        assert Customer.objects.filter(external_id=f"c-{attempt}").count() == 1


def test_concurrent_requests_over_http_store_one_order(api, shop_a, live_server):
    import json
    import urllib.request

    client = api(shop_a.shop)
    body = json.dumps(order_payload("http-race")).encode()
    statuses, barrier = [], threading.Barrier(4)

    def post():
        request = urllib.request.Request(
            live_server.url + "/api/v1/orders",
            data=body,
            headers={"Authorization": f"Bearer {client.token}", "Content-Type": "application/json"},
        )
        barrier.wait()
        with urllib.request.urlopen(request, timeout=30) as response:
            statuses.append(response.status)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 200, 201]
    assert Order.objects.filter(external_id="http-race").count() == 1
