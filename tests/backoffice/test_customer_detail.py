"""A customer's page: the facts and the timeline of everything that happened, in time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersale.timeline import types
from aftersale.timeline.services import event_row, record_event, record_events
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    RefundFactory,
    ReturnRequestFactory,
    ShipmentFactory,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def customer(shop_a):
    return CustomerFactory(
        shop=shop_a.shop,
        first_name="Aino",
        last_name="Virtanen",
        email="aino@example.fi",
        phone="+358 40 111 2222",
        language="sv",
        marketing_consent=True,
        consent_at=datetime(2026, 10, 1, 9, 30, tzinfo=UTC),
        consent_source="checkout",
        consent_wording_version="2026-03",
    )


@pytest.fixture
def story(shop_a, customer):
    """An order that is shipped, waits at the pickup point, is picked up and partly returned.

    The events are recorded out of order, as imports and webhooks can deliver them.
    """
    shop = shop_a.shop
    order = OrderFactory(shop=shop, customer=customer, number="20001", placed_at=T0)
    shipment = ShipmentFactory(order=order, tracking_number="JJFI123")
    return_request = ReturnRequestFactory(order=order, code="RABC234567")
    RefundFactory(order=order, amount_cents=2_000)
    steps = [
        (types.RETURN_REQUESTED, return_request, T0 + timedelta(days=5)),
        (types.ORDER_PLACED, order, T0),
        (types.SHIPMENT_READY_FOR_PICKUP, shipment, T0 + timedelta(days=2)),
        (types.SHIPMENT_SHIPPED, shipment, T0 + timedelta(days=1)),
        (types.SHIPMENT_PICKED_UP, shipment, T0 + timedelta(days=3)),
        ("loyalty.points_awarded", order, T0 + timedelta(days=4)),
    ]
    for event_type, subject, when in steps:
        record_event(shop, event_type, subject=subject, customer=customer, occurred_at=when)
    return {"order": order, "shipment": shipment, "return": return_request}


def test_it_shows_the_customers_facts(login, shop_a, customer, story):
    OrderFactory(shop=shop_a.shop, customer=customer, total_cents=4_420)
    OrderFactory(shop=shop_a.shop, customer=customer, total_cents=9_999, status="cancelled")
    response = login(shop_a.staff).get(
        reverse("backoffice:customer_detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert "aino@example.fi" in html
    assert "+358 40 111 2222" in html
    assert "Swedish" in html
    # 1 Oct 09:30 UTC is 12:30 in Helsinki (summer time).
    assert "1 Oct 2026, 12:30" in html
    assert "source: checkout" in html
    assert "wording version 2026-03" in html
    assert 'data-fact="orders">3<' in html
    assert 'data-fact="gross">€100.00<' in html  # 55.80 + 44.20; the cancelled one is left out
    assert 'data-fact="refunds">€20.00<' in html


def test_it_shows_the_timeline_in_time_order_with_links(login, shop_a, customer, story):
    response = login(shop_a.staff).get(
        reverse("backoffice:customer_detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    timeline = response.context["timeline"]
    assert [item.text for item in timeline] == [
        "Order placed",
        "Parcel shipped",
        "Parcel ready for pickup",
        "Parcel picked up",
        "loyalty.points_awarded",  # an event type nobody described yet is still shown
        "Return registered",
    ]
    html = response.content.decode()
    order_url = reverse("backoffice:order_detail", args=[story["order"].pk])
    assert f'href="{order_url}">#20001</a>' in html
    assert f'href="{order_url}#shipment-{story["shipment"].pk}">#20001 · posti JJFI123</a>' in html
    assert f'href="{order_url}#return-{story["return"].pk}">#20001 · RABC234567</a>' in html
    positions = [
        html.index(text) for text in ("Order placed", "Parcel shipped", "Return registered")
    ]
    assert positions == sorted(positions)


def test_it_shows_event_times_in_the_shops_time_zone(login, shop_a, customer, story):
    shop_a.shop.time_zone = "America/New_York"
    shop_a.shop.save()
    html = (
        login(shop_a.staff)
        .get(reverse("backoffice:customer_detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="fi")
        .content.decode()
    )
    # 2 Nov 10:00 UTC is 05:00 in New York; Finnish short format is day.month.year hour.minute.
    assert "2.11.2026 5.00" in html
    assert "Tilaus tehty" in html


def test_it_shows_a_customer_with_no_history(login, shop_a):
    quiet = CustomerFactory(shop=shop_a.shop)
    html = login(shop_a.staff).get(reverse("backoffice:customer_detail", args=[quiet.pk]))
    assert "Nothing has happened with this customer yet." in html.content.decode()


def test_it_keeps_the_timeline_to_this_customer(login, shop_a, customer, story):
    other = CustomerFactory(shop=shop_a.shop)
    record_event(shop_a.shop, types.ORDER_CANCELLED, subject=other, customer=other)
    response = login(shop_a.staff).get(reverse("backoffice:customer_detail", args=[customer.pk]))
    assert all(item.event.customer_id == customer.pk for item in response.context["timeline"])


def test_it_opens_a_long_timeline_at_its_newest_page(login, shop_a, customer):
    record_events(
        [
            event_row(
                shop_a.shop.pk,
                types.MESSAGE_SENT,
                "customer",
                customer.pk,
                customer_id=customer.pk,
                payload={"subject": f"Newsletter {n}"},
                occurred_at=T0 + timedelta(days=n),
            )
            for n in range(105)
        ],
    )
    client = login(shop_a.staff)
    url = reverse("backoffice:customer_detail", args=[customer.pk])
    newest = [item.text for item in client.get(url).context["timeline"]]
    assert newest == [f"Message sent: Newsletter {n}" for n in range(100, 105)]
    oldest = client.get(url, {"page": 1}).context["timeline"]
    assert len(oldest) == 100 and oldest[0].text == "Message sent: Newsletter 0"


def test_it_costs_the_same_queries_for_a_long_history(
    login, shop_a, customer, story, django_assert_num_queries
):
    client = login(shop_a.staff)
    url = reverse("backoffice:customer_detail", args=[customer.pk])
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    for n in range(12):
        order = OrderFactory(shop=shop_a.shop, customer=customer, placed_at=T0 + timedelta(n))
        shipment = ShipmentFactory(order=order, status="returned_to_sender")
        RefundFactory(order=order, amount_cents=100)
        record_event(shop_a.shop, types.SHIPMENT_SHIPPED, subject=shipment, customer=customer)
    with django_assert_num_queries(len(short)):
        response = client.get(url)
    assert response.context["totals"]["order_count"] == 13
    assert response.context["totals"]["refund_cents"] == 2_000 + 12 * 100


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan without statistics")
def test_it_reads_the_customers_orders_through_their_own_index(login, shop_a, customer, story):
    with CaptureQueriesContext(connection) as page:
        login(shop_a.staff).get(reverse("backoffice:customer_detail", args=[customer.pk]))
    order_queries = [
        q["sql"]
        for q in page.captured_queries
        if q["sql"].startswith("SELECT")
        and 'FROM "orders_order"' in q["sql"]
        and '"orders_order"."customer_id" = ' in q["sql"]
    ]
    assert order_queries
    with connection.cursor() as cursor:
        for sql in order_queries:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "order_customer_time (shop_id=? AND customer_id=?" in plan, (sql, plan)
