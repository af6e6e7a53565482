"""The nightly run marks the win-back moment: ``customer.lapsing`` once, when a customer who
was not lapsing in the previous snapshot is lapsing now (analytics.lapsing)."""

from datetime import timedelta

from aftersale.insights.services import compute_insights
from aftersale.timeline.models import Event
from tests.factories import CustomerFactory
from tests.insights.test_compute import NOW, order


def lapsing_events(shop):
    return Event.objects.for_shop(shop).filter(type="customer.lapsing")


def test_a_one_time_buyer_lapses_once_their_order_is_long_ago(shop_a):
    shop = shop_a.shop
    regulars = [CustomerFactory(shop=shop) for _ in range(4)]
    for customer in regulars:
        for days in (70, 50, 30, 10):  # one order every 20 days: the shop's median gap
            order(shop, customer, days)
    one_timer = CustomerFactory(shop=shop)
    order(shop, one_timer, 60)
    compute_insights(shop, now=NOW)
    assert not lapsing_events(shop).exists()  # nobody on the first run

    # 40 days on: the one-time buyer's order is 100 days old (> max(90, 2 × 20)); the regulars
    # keep ordering.
    later = NOW + timedelta(days=40)
    for customer in regulars:
        order(shop, customer, days_ago=-35)
    compute_insights(shop, now=later)
    [event] = lapsing_events(shop)
    assert event.customer_id == one_timer.pk

    # The next night they are still lapsing: no second event.
    compute_insights(shop, now=later + timedelta(days=1))
    assert lapsing_events(shop).count() == 1


def test_a_recent_one_time_buyer_is_not_lapsing(shop_a):
    shop = shop_a.shop
    one_timer = CustomerFactory(shop=shop)
    order(shop, one_timer, 10)
    compute_insights(shop, now=NOW)
    compute_insights(shop, now=NOW + timedelta(days=30))
    assert not lapsing_events(shop).exists()
