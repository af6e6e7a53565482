"""CSV exports of customers, orders, returns and segments: the list as filtered, the own shop
only, streamed in chunks, and cells a spreadsheet never runs as formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from aftersale.backoffice.views import exports
from aftersale.insights.models import CustomerValue
from tests.factories import CustomerFactory, OrderFactory
from tests.returns.backoffice import a_return

pytestmark = pytest.mark.django_db


def download(client, url, **params) -> list[dict]:
    response = client.get(url, params)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)  # streamed, not built in memory
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="pohjola-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_customers_export_follows_the_search_and_counts_orders(login, shop_a, shop_b):
    aino = CustomerFactory(shop=shop_a.shop, first_name="Aino", last_name="Lahtinen")
    OrderFactory(shop=shop_a.shop, customer=aino, placed_at=datetime(2026, 11, 2, 10, tzinfo=UTC))
    OrderFactory(shop=shop_a.shop, customer=aino, placed_at=datetime(2026, 11, 20, 10, tzinfo=UTC))
    CustomerFactory(shop=shop_a.shop, first_name="Eero", last_name="Mäkelä")
    CustomerFactory(shop=shop_b.shop, first_name="Aino", last_name="Ulkopuolinen")

    client = login(shop_a.staff)
    everyone = download(client, reverse("backoffice:customers_export"))
    assert {row["last_name"] for row in everyone} == {"Lahtinen", "Mäkelä"}

    [row] = download(client, reverse("backoffice:customers_export"), q="Aino")
    assert row["last_name"] == "Lahtinen" and row["orders"] == "2"
    assert row["last_order_at"] == "2026-11-20 12:00"  # the shop's time (Helsinki)


def test_orders_export_follows_the_filters_and_writes_amounts_as_numbers(login, shop_a, shop_b):
    OrderFactory(shop=shop_a.shop, number="5001", delivery_method="pickup_point", total_cents=8280)
    OrderFactory(shop=shop_a.shop, number="5002", delivery_method="home")
    OrderFactory(shop=shop_b.shop, number="5003", delivery_method="pickup_point")

    client = login(shop_a.owner)
    rows = download(client, reverse("backoffice:orders_export"), delivery_method="pickup_point")
    assert [row["order_number"] for row in rows] == ["5001"]
    assert rows[0]["total"] == "82.80"
    assert {r["order_number"] for r in download(client, reverse("backoffice:orders_export"))} == {
        "5001",
        "5002",
    }


def test_returns_export_follows_the_queue_filter_and_stays_in_the_shop(login, shop_a, shop_b):
    small = a_return(shop_a.shop, reason="too_small")
    large = a_return(shop_a.shop, reason="too_large", email="eero@example.fi")
    a_return(shop_b.shop, reason="too_small")

    client = login(shop_a.staff)
    rows = download(client, reverse("backoffice:returns_export"), state="all")
    assert {row["return_code"] for row in rows} == {small.code, large.code}
    [row] = download(client, reverse("backoffice:returns_export"), state="all", reason="too_large")
    assert row["return_code"] == large.code and row["reasons"] == "too_large"
    assert row["items"] == "1" and row["registered_by_staff"] == ""


def test_segment_export_lists_the_segments_customers_of_the_shop_only(login, shop_a, shop_b):
    for tenant, name in ((shop_a, "Oma"), (shop_b, "Vieras")):
        customer = CustomerFactory(shop=tenant.shop, last_name=name)
        CustomerValue.objects.create(
            shop=tenant.shop,
            customer=customer,
            computed_at=datetime(2026, 11, 30, tzinfo=UTC),
            rfm_segment="champions",
            value_segment="profitable",
            clv_cents=12345,
        )
    client = login(shop_a.staff)
    [row] = download(client, reverse("backoffice:insights_segment_export", args=["champions"]))
    assert row["last_name"] == "Oma" and row["clv_next_12_months"] == "123.45"
    missing = client.get(reverse("backoffice:insights_segment_export", args=["no-such"]))
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://evil")', "+358401234567", "-2+3", "@SUM(A1)", "\tx"]
)
def test_text_that_would_start_a_formula_is_quoted(login, shop_a, value):
    CustomerFactory(shop=shop_a.shop, last_name=value)
    [row] = download(login(shop_a.staff), reverse("backoffice:customers_export"))
    assert row["last_name"] == "'" + value


def test_it_reads_the_database_in_chunks_with_a_query_count_that_does_not_grow(
    login, shop_a, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(exports, "CHUNK", 10)
    for _ in range(25):
        OrderFactory(shop=shop_a.shop, customer=CustomerFactory(shop=shop_a.shop))
    client = login(shop_a.staff)
    response = client.get(reverse("backoffice:customers_export"))
    # Three chunks of customers, each with one query for their order counts.
    with django_assert_max_num_queries(8) as queries:
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 26
    stats = [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(stats) == 3


@pytest.mark.parametrize(
    "name, args",
    [
        ("backoffice:customers_export", []),
        ("backoffice:orders_export", []),
        ("backoffice:returns_export", []),
        ("backoffice:insights_segment_export", ["champions"]),
    ],
)
def test_an_outsider_and_a_visitor_get_no_export(client, login, shop_a, outsider, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302  # to the login page
    assert login(outsider).get(url).status_code == 403
