"""The API's lists stay fast at any size: a page costs the same queries for 5 rows or 50, and
the database walks an index in the page's order instead of sorting the shop's history."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ReturnLineFactory,
    ReturnRequestFactory,
    ShipmentFactory,
    TrackingEventFactory,
)
from tests.planner import plan_of

pytestmark = pytest.mark.django_db

# The token, the page of rows, and one query per list of nested rows (lines, events).
QUERIES = {"/orders": 3, "/customers": 2, "/shipments": 3, "/returns": 3}
INDEXES = {
    "/orders": "order_shop_updated",
    "/customers": "customer_shop_updated",
    "/shipments": "shipment_shop_updated",
    "/returns": "return_shop_updated",
}


@pytest.fixture
def busy_shop(shop_a, shop_b):
    shop = shop_a.shop
    for _ in range(12):
        order = OrderFactory(shop=shop)
        OrderLineFactory(order=order)
        line = OrderLineFactory(order=order)
        shipment = ShipmentFactory(order=order)
        TrackingEventFactory(shipment=shipment, carrier_code="SHIPPED")
        TrackingEventFactory(shipment=shipment, carrier_code="IN_TRANSIT")
        ReturnLineFactory(return_request=ReturnRequestFactory(order=order), order_line=line)
    CustomerFactory(shop=shop)
    OrderFactory(shop=shop_b.shop)
    return shop


@pytest.mark.parametrize("path", QUERIES)
def test_a_page_costs_the_same_queries_for_few_rows_or_many(
    api, busy_shop, path, django_assert_num_queries, settings
):
    # The rate limit's counter is counted in Redis in production; on the database cache it adds
    # its own fixed queries, which are not the list's.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client = api(busy_shop)
    client.get(path)  # the token's first use is recorded (then at most once a minute)
    with django_assert_num_queries(QUERIES[path]):
        few = client.get(path, {"limit": 2})
    with django_assert_num_queries(QUERIES[path]):
        many = client.get(path, {"limit": 50})
    assert few.status_code == many.status_code == 200
    assert len(few.json()["items"]) == 2 and len(many.json()["items"]) >= 12


@pytest.mark.parametrize("path", INDEXES)
def test_the_database_pages_through_an_index_in_update_order(api, busy_shop, path):
    client = api(busy_shop)
    first = client.get(path, {"limit": 5}).json()
    with CaptureQueriesContext(connection) as queries:
        client.get(path, {"limit": 5, "cursor": first["next_cursor"]})
    page_query = next(q for q in queries.captured_queries if '"updated_at" ASC' in q["sql"])
    plan = plan_of(page_query)
    assert INDEXES[path] in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # SQLite: no sort of the shop's rows
