"""The dashboard's stored per-day figures: computed once, read after, and never out of date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from aftersale.backoffice.headline import headline
from aftersale.insights.models import DailyFigures
from tests.factories import OrderFactory, RefundFactory, ShipmentFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# Reading a page of stored days: session, user, memberships and shops, the stored days, one
# check for rows changed since they were stored, today's figures live, latest orders, parcels,
# and the self-service figure (help-centre visitors and customers who contacted, in one).
DASHBOARD_QUERIES = 9


@pytest.fixture
def clock():
    """The clock runs from NOW, for the rows made here too (their updated_at matters)."""
    with time_machine.travel(NOW) as traveller:
        yield traveller


@pytest.fixture
def month(clock, shop_a, shop_b):
    shop = shop_a.shop
    for days_ago in (1, 2, 2, 12, 35, 50):
        OrderFactory(shop=shop, placed_at=NOW - timedelta(days=days_ago), total_cents=1_000)
    OrderFactory(shop=shop, placed_at=NOW - timedelta(hours=1), total_cents=500)
    OrderFactory(shop=shop_b.shop, placed_at=NOW - timedelta(days=2), total_cents=99_000)
    return shop


def test_the_first_look_stores_every_past_day_and_later_looks_read_them(
    login, month, shop_a, django_assert_num_queries
):
    client = login(shop_a.staff)
    client.get(reverse("backoffice:dashboard"))
    stored = DailyFigures.objects.for_shop(month)
    assert stored.count() == 59, "60 days, today's live"
    assert sum(stored.values_list("orders", flat=True)) == 6
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("backoffice:dashboard"))
    assert response.context["headline"].orders.current == 5  # 4 past days + today's
    assert response.context["headline"].revenue_cents.current == 4_500
    assert not DailyFigures.objects.for_shop(shop_a.shop).filter(orders__gt=10).exists()


def test_a_late_change_to_a_past_day_shows_at_once(login, month, shop_a):
    client = login(shop_a.staff)
    assert (
        client.get(reverse("backoffice:dashboard")).context["headline"].refunds_cents.previous == 0
    )
    order = OrderFactory(shop=month, placed_at=NOW - timedelta(days=40), total_cents=7_000)
    RefundFactory(shop=month, order=order, amount_cents=2_500, refunded_at=NOW - timedelta(days=39))
    ShipmentFactory(order=order, status="returned_to_sender", returned_at=NOW - timedelta(days=38))
    numbers = client.get(reverse("backoffice:dashboard")).context["headline"]
    assert numbers.orders.previous == 3
    assert numbers.revenue_cents.previous == 9_000
    assert numbers.refunds_cents.previous == 2_500
    assert numbers.unclaimed_parcels.previous == 1
    order.status = "cancelled"
    order.save()
    assert headline(month).orders.previous == 2


def test_only_the_changed_days_are_computed_again(month):
    headline(month)
    before = dict(DailyFigures.objects.for_shop(month).values_list("day", "computed_at"))
    OrderFactory(shop=month, placed_at=NOW - timedelta(days=12), total_cents=3_000)
    headline(month)
    rows = {row.day: row for row in DailyFigures.objects.for_shop(month)}
    changed = (NOW - timedelta(days=12)).date()
    assert rows[changed].orders == 2 and rows[changed].revenue_cents == 4_000
    assert all(rows[day].computed_at > before[day] for day in rows), "all checked again"


def test_a_new_shop_currency_recomputes_the_stored_days(month):
    headline(month)
    month.currency = "SEK"
    month.save()
    numbers = headline(month)
    assert numbers.orders.current == 5, "orders count in any currency"
    assert numbers.revenue_cents.current == 0, "none of them is in SEK"
    assert set(DailyFigures.objects.for_shop(month).values_list("currency", flat=True)) == {"SEK"}
