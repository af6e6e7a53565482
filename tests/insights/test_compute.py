"""Customer value snapshots computed from a small shop whose numbers are worked out by hand."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from aftersale.delivery.models import ShipmentStatus
from aftersale.insights.models import CustomerValue, ShopInsight
from aftersale.insights.selectors import customers_in_segment
from aftersale.insights.services import compute_insights
from aftersale.orders.models import Customer
from aftersale.returns.models import ReturnState
from aftersale.timeline.models import Event
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ReturnLineFactory,
    ReturnRequestFactory,
    ShipmentFactory,
    VariantFactory,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def order(shop, customer, days_ago, *, price=10000, vat=2000, cost=3000, quantity=1):
    placed = NOW - timedelta(days=days_ago)
    o = OrderFactory(shop=shop, customer=customer, placed_at=placed, total_cents=price)
    line = OrderLineFactory(
        order=o,
        variant=VariantFactory(shop=shop),
        quantity=quantity,
        unit_price_cents=price // quantity,
        total_cents=price,
        vat_cents=vat,
        unit_cost_cents=cost // quantity,
    )
    return o, line


def returned(line, quantity=1, state=ReturnState.REFUNDED, shipping=0):
    request = ReturnRequestFactory(
        order=line.order,
        state=state,
        return_shipping_cost_cents=shipping,
        requested_at=line.order.placed_at + timedelta(days=7),
    )
    return ReturnLineFactory(return_request=request, order_line=line, quantity=quantity)


@pytest.fixture
def small_shop(shop_a):
    """Three customers: a loyal keeper, a serial returner, and one who leaves parcels unclaimed."""
    shop = shop_a.shop
    keeper = CustomerFactory(shop=shop, first_name="Kaisa")
    for days in (300, 200, 120, 60, 10):
        order(shop, keeper, days)
    returner = CustomerFactory(shop=shop, first_name="Rami")
    for days in (250, 150, 90, 30):
        _, line = order(shop, returner, days)
        returned(line, shipping=600)
    ghost = CustomerFactory(shop=shop, first_name="Outi")
    for days in (100, 40):
        o, _ = order(shop, ghost, days)
        ShipmentFactory(
            order=o,
            status=ShipmentStatus.RETURNED_TO_SENDER,
            returned_at=o.placed_at + timedelta(days=20),
        )
    # Background customers who buy at their own pace and drop out at random (BG/NBD-like),
    # arriving over two years, so that the models have something to fit.
    rng = random.Random(7)
    for _ in range(80):
        c = CustomerFactory(shop=shop)
        days = rng.randint(30, 700)
        rate = rng.uniform(20, 120)
        while days > 0:
            order(shop, c, days, price=rng.choice([4000, 6000, 9000, 15000]), vat=0, cost=2000)
            if rng.random() < 0.25:
                break
            days -= int(rng.expovariate(1 / rate)) + 1
    return shop, keeper, returner, ghost


def test_it_computes_net_value_after_returns_and_unclaimed_parcels(small_shop):
    shop, keeper, returner, ghost = small_shop
    insight = compute_insights(shop, now=NOW)
    assert insight.status == ShopInsight.Status.DONE, insight.error

    kept = CustomerValue.objects.get(customer=keeper)
    # Five orders of 100.00 € incl. 20.00 € VAT, cost 30.00 €: 80 € revenue, 50 € margin each.
    assert kept.orders == 5
    assert kept.gross_revenue_cents == 5 * 8000
    assert kept.net_revenue_cents == 5 * 8000
    assert kept.net_margin_cents == 5 * 5000
    assert kept.return_rate == 0
    assert kept.value_segment == "profitable"

    back = CustomerValue.objects.get(customer=returner)
    assert back.gross_revenue_cents == 4 * 8000
    assert back.returned_cents == 4 * 8000
    assert back.net_revenue_cents == 0
    assert back.return_cost_cents == 4 * 600
    assert back.net_margin_cents == -4 * 600
    assert back.return_rate == pytest.approx(1.0)
    assert back.value_segment == "serial_returner"

    lost = CustomerValue.objects.get(customer=ghost)
    assert lost.unclaimed_parcels == 2
    assert lost.unclaimed_cost_cents == 2 * (690 + 690 + 500)
    assert lost.value_segment == "serial_returner"


def test_it_predicts_value_and_churn_for_every_customer(small_shop):
    shop, keeper, returner, ghost = small_shop
    compute_insights(shop, now=NOW)
    values = CustomerValue.objects.for_shop(shop)
    assert values.count() == 83
    for value in values:
        assert value.p_alive is None or 0 <= value.p_alive <= 1
    keeper_value = values.get(customer=keeper)
    assert keeper_value.clv_cents is not None and keeper_value.clv_cents > 0
    assert keeper_value.clv_cents > values.get(customer=returner).clv_cents
    assert keeper_value.rfm_recency == 5


def test_it_lists_customers_by_segment_within_the_shop(small_shop, shop_b):
    shop, keeper, returner, ghost = small_shop
    foreign = CustomerFactory(shop=shop_b.shop)
    order(shop_b.shop, foreign, 30)
    _, line = order(shop_b.shop, foreign, 20)
    compute_insights(shop, now=NOW)
    compute_insights(shop_b.shop, now=NOW)
    returners = set(customers_in_segment(shop, "serial_returner"))
    assert returners == {returner, ghost}
    assert foreign not in set(customers_in_segment(shop, "new"))


def test_it_records_segment_changes_on_the_timeline(small_shop):
    shop, keeper, *_ = small_shop
    compute_insights(shop, now=NOW)
    assert not Event.objects.for_shop(shop).filter(type="customer.segment_entered").exists()
    # A year on, everybody else has ordered again and Kaisa has not: she is no champion now.
    later = NOW + timedelta(days=400)
    for customer in Customer.objects.for_shop(shop).exclude(pk=keeper.pk):
        order(shop, customer, days_ago=-395)
    compute_insights(shop, now=later)
    moved = Event.objects.for_shop(shop).get(type="customer.segment_entered", customer=keeper)
    assert moved.payload == {
        "previous": "champions",
        "segment": CustomerValue.objects.get(customer=keeper).rfm_segment,
        "value_segment": "profitable",
    }
    assert moved.payload["segment"] != "champions"


def test_it_draws_the_funnel_from_orders_parcels_and_returns(shop_a):
    shop = shop_a.shop
    c1, c2 = CustomerFactory(shop=shop), CustomerFactory(shop=shop)
    # Picked up and kept, then ordered again.
    o1, _ = order(shop, c1, 200)
    ShipmentFactory(
        order=o1,
        ready_at=o1.placed_at + timedelta(days=2),
        received_at=o1.placed_at + timedelta(days=3),
        status=ShipmentStatus.PICKED_UP,
    )
    order(shop, c1, 100)
    # Arrived at the pickup point, never collected.
    o2, _ = order(shop, c2, 150)
    ShipmentFactory(
        order=o2,
        ready_at=o2.placed_at + timedelta(days=2),
        status=ShipmentStatus.RETURNED_TO_SENDER,
    )
    # Received but everything sent back.
    o3, line3 = order(shop, c2, 120)
    ShipmentFactory(
        order=o3, received_at=o3.placed_at + timedelta(days=2), status=ShipmentStatus.DELIVERED
    )
    returned(line3)
    from aftersale.insights.funnel import journey_funnel

    counts = journey_funnel(shop, now=NOW).counts
    # o1, o2, o3 and c1's second order (no parcel yet) are in the window.
    assert counts == {"ordered": 4, "arrived": 3, "received": 2, "kept": 1, "ordered_again": 1}


def test_a_shop_without_orders_gets_an_empty_snapshot(shop_a):
    insight = compute_insights(shop_a.shop, now=NOW)
    assert insight.status == ShopInsight.Status.DONE
    assert insight.customers == 0
