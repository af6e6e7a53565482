"""The dashboard's headline numbers: last 30 days against the 30 before, in the shop's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from aftersale.backoffice.headline import Figure, headline
from tests.factories import (
    OrderFactory,
    OrderLineFactory,
    RefundFactory,
    ReturnLineFactory,
    ReturnRequestFactory,
    ShipmentFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HELSINKI = ZoneInfo("Europe/Helsinki")


def helsinki(*args) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)


# Independently of the code: today in Helsinki is 20 Nov, so the current period starts at
# local midnight on 22 Oct (before the end of summer time) and the previous one on 22 Sep.
CURRENT = (helsinki(2026, 10, 22), helsinki(2026, 11, 21))
PREVIOUS = (helsinki(2026, 9, 22), helsinki(2026, 10, 22))


def within(moment, period):
    return period[0] <= moment < period[1]


@pytest.fixture
def history(shop_a, shop_b):
    """Orders, refunds, returns and unclaimed parcels on both sides of the period boundaries."""
    shop = shop_a.shop
    orders = [
        # 00:30 on 22 Oct in Helsinki is still 21 Oct in UTC: it belongs to the current period.
        OrderFactory(
            shop=shop, placed_at=datetime(2026, 10, 21, 21, 30, tzinfo=UTC), total_cents=10_000
        ),
        # 23:30 on 21 Oct in Helsinki: the previous period.
        OrderFactory(
            shop=shop, placed_at=datetime(2026, 10, 21, 20, 30, tzinfo=UTC), total_cents=7_000
        ),
        OrderFactory(shop=shop, placed_at=NOW - timedelta(hours=1), total_cents=123_450),
        OrderFactory(shop=shop, placed_at=NOW - timedelta(days=10), total_cents=5_580),
        OrderFactory(shop=shop, placed_at=NOW - timedelta(days=45), total_cents=2_000),
        OrderFactory(shop=shop, placed_at=NOW - timedelta(days=90), total_cents=99_999),
    ]
    cancelled = OrderFactory(
        shop=shop, placed_at=NOW - timedelta(days=2), total_cents=50_000, status="cancelled"
    )
    OrderFactory(shop=shop_b.shop, placed_at=NOW - timedelta(days=1), total_cents=77_700)

    refunds = [
        RefundFactory(
            shop=shop, order=orders[3], amount_cents=2_500, refunded_at=NOW - timedelta(days=3)
        ),
        RefundFactory(
            shop=shop, order=orders[4], amount_cents=1_000, refunded_at=NOW - timedelta(days=40)
        ),
    ]
    RefundFactory(shop=shop_b.shop, amount_cents=9_900, refunded_at=NOW - timedelta(days=3))

    # A return of an order without a refund counts at the goods' price: 2 × 19.90.
    unrefunded = ReturnRequestFactory(
        shop=shop, order=orders[2], requested_at=NOW - timedelta(days=1)
    )
    line = OrderLineFactory(order=orders[2], unit_price_cents=1_990, quantity=3, total_cents=5_970)
    ReturnLineFactory(return_request=unrefunded, order_line=line, quantity=2)
    # A return whose order already has a refund is counted by that refund, not again.
    refunded = ReturnRequestFactory(
        shop=shop, order=orders[3], requested_at=NOW - timedelta(days=4)
    )
    ReturnLineFactory(return_request=refunded, order_line__unit_price_cents=4_990)
    # A rejected return is not returned revenue.
    rejected = ReturnRequestFactory(
        shop=shop, order=orders[0], requested_at=NOW - timedelta(days=2), state="rejected"
    )
    ReturnLineFactory(return_request=rejected, order_line__unit_price_cents=3_000)

    unclaimed = [
        ShipmentFactory(
            order=orders[0], status="returned_to_sender", returned_at=NOW - timedelta(days=5)
        ),
        ShipmentFactory(
            order=orders[1], status="returned_to_sender", returned_at=NOW - timedelta(days=35)
        ),
        ShipmentFactory(
            order=orders[4], status="returned_to_sender", returned_at=NOW - timedelta(days=33)
        ),
    ]
    ShipmentFactory(order=orders[2], status="ready_for_pickup", held_until=NOW + timedelta(days=3))
    return {
        "orders": orders,
        "cancelled": cancelled,
        "refunds": refunds,
        "unrefunded_value": 2 * 1_990,
        "unclaimed": unclaimed,
    }


def expected(history, period):
    orders = [o for o in history["orders"] if within(o.placed_at, period)]
    refunds = sum(r.amount_cents for r in history["refunds"] if within(r.refunded_at, period))
    unrefunded = history["unrefunded_value"] if period == CURRENT else 0
    return {
        "orders": len(orders),
        "revenue": sum(o.total_cents for o in orders),
        "refunds": refunds,
        "returned": refunds + unrefunded,
        "unclaimed": sum(within(s.returned_at, period) for s in history["unclaimed"]),
    }


@time_machine.travel(NOW, tick=False)
def test_it_counts_the_last_30_days_and_the_30_before_in_the_shops_zone(shop_a, history):
    numbers = headline(shop_a.shop)
    assert numbers.current.start == CURRENT[0]
    assert numbers.previous.start == PREVIOUS[0]
    for period, side in ((CURRENT, "current"), (PREVIOUS, "previous")):
        want = expected(history, period)
        assert getattr(numbers.orders, side) == want["orders"]
        assert getattr(numbers.revenue_cents, side) == want["revenue"]
        assert getattr(numbers.refunds_cents, side) == want["refunds"]
        assert getattr(numbers.returned_cents, side) == want["returned"]
        assert getattr(numbers.unclaimed_parcels, side) == want["unclaimed"]
    # The figures the expectations above amount to, spelled out.
    assert (numbers.orders.current, numbers.orders.previous) == (3, 2)
    assert numbers.revenue_cents.current == 10_000 + 123_450 + 5_580
    assert numbers.returned_cents.current == 2_500 + 3_980
    assert (numbers.unclaimed_parcels.current, numbers.unclaimed_parcels.previous) == (1, 2)


@time_machine.travel(NOW, tick=False)
def test_it_shows_the_numbers_as_money_in_the_users_language(login, shop_a, history):
    client = login(shop_a.staff)
    html = client.get(reverse("backoffice:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-figure="orders">3<' in html
    assert 'data-figure="revenue">€1,390.30<' in html
    assert 'data-previous="revenue">€90.00<' in html
    assert 'data-figure="returned">€64.80<' in html
    assert "Includes €39.80 of returned goods not yet refunded." in html
    assert 'data-figure="unclaimed">1<' in html
    assert "+50 %" in html  # 3 orders against 2

    client.cookies.load({"django_language": "fi"})
    html = client.get(reverse("backoffice:dashboard")).content.decode()
    assert 'data-figure="revenue">1\xa0390,30\xa0€<' in html


@time_machine.travel(NOW, tick=False)
def test_it_lists_the_latest_orders_and_the_parcels_waiting_for_pickup(
    login, shop_a, shop_b, history
):
    client = login(shop_a.staff)
    response = client.get(reverse("backoffice:dashboard"))
    latest = list(response.context["latest_orders"])
    assert latest[0] == history["orders"][2]
    assert all(order.shop_id == shop_a.shop.pk for order in latest)
    waiting = list(response.context["waiting_parcels"])
    assert [s.order for s in waiting] == [history["orders"][2]]


def test_it_shows_zeroes_for_a_new_shop(login, shop_a):
    response = login(shop_a.staff).get(reverse("backoffice:dashboard"))
    assert response.status_code == 200
    assert response.context["headline"].orders.current == 0
    assert "No orders yet." in response.content.decode()


def test_it_gives_no_percentage_when_there_was_nothing_before():
    assert Figure(current=5, previous=0).change_percent is None
    assert Figure(current=1, previous=3).change_percent == -67
    assert Figure(current=3, previous=3).change_percent == 0
