"""Return insight: rates and reasons per product and category, and products to fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from aftersale.returns import insight
from tests.factories import OrderLineFactory, ReturnLineFactory, VariantFactory

SINCE = datetime(2026, 10, 1, tzinfo=UTC)


def sell_and_return(shop, variant, *, sold, returned_for):
    lines = [OrderLineFactory(order__shop=shop, variant=variant) for _ in range(sold)]
    for line, reason in zip(lines, returned_for, strict=False):
        ReturnLineFactory(return_request__order=line.order, order_line=line, reason=reason)


@pytest.fixture
def catalogue(shop_a):
    shop = shop_a.shop
    jeans = VariantFactory(shop=shop, product__name="Slim jeans", product__category__name="Jeans")
    dress = VariantFactory(
        shop=shop, product__name="Linen dress", product__category__name="Dresses"
    )
    socks = VariantFactory(shop=shop, product__name="Wool socks", product__category__name="Socks")
    sell_and_return(
        shop, jeans, sold=10, returned_for=["too_small", "too_small", "too_large", "quality"]
    )
    sell_and_return(shop, dress, sold=5, returned_for=["not_as_described"] * 2 + ["changed_mind"])
    sell_and_return(shop, socks, sold=20, returned_for=["too_small"])
    return shop


def test_it_computes_rates_per_product_and_category(catalogue):
    report = insight.return_insight(catalogue, since=SINCE)
    rows = {row.name: (row.sold, row.returned, round(row.rate, 2)) for row in report.products}
    assert rows == {
        "Slim jeans": (10, 4, 0.4),
        "Linen dress": (5, 3, 0.6),
        "Wool socks": (20, 1, 0.05),
    }
    assert {row.name: row.returned for row in report.categories} == {
        "Jeans": 4,
        "Dresses": 3,
        "Socks": 1,
    }
    assert (report.sold, report.returned) == (35, 8)
    assert report.reasons[0] == ("Too small", 3)


def test_it_flags_products_returned_for_size_or_not_as_described(catalogue):
    flagged = {
        row.name: row.flags for row in insight.return_insight(catalogue, since=SINCE).flagged
    }
    assert set(flagged) == {"Slim jeans", "Linen dress"}  # one sock return is not a pattern
    assert "size chart" in flagged["Slim jeans"][0]
    assert "description and pictures" in flagged["Linen dress"][0]


@time_machine.travel(SINCE + timedelta(days=40))
def test_the_insight_page_shows_what_to_fix(login, catalogue, shop_a):
    page = login(shop_a.staff).get("/returns/insight/").content.decode()
    assert "Slim jeans" in page
    assert "Often returned for size" in page


@time_machine.travel(SINCE + timedelta(days=40))
def test_another_shop_sees_none_of_these_products(login, catalogue, shop_b):
    page = login(shop_b.staff).get("/returns/insight/").content.decode()
    assert "Slim jeans" not in page
    assert "No orders in this period." in page
