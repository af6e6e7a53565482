"""The unclaimed-parcel loop: rates, costs and flagged customers, checked against counts made
independently from the generated shipments."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersale.delivery.models import ShipmentStatus as S
from aftersale.delivery.selectors import (
    UnclaimedCosts,
    flagged_customers,
    is_flagged,
    unclaimed_by,
    unclaimed_report,
    unclaimed_summary,
)
from tests.delivery.test_unclaimed_stored import assert_equals_a_direct_count
from tests.factories import CustomerFactory, OrderFactory, PickupPointFactory, ShipmentFactory

REACHED = {S.READY_FOR_PICKUP, S.DELIVERED, S.PICKED_UP, S.RETURNED_TO_SENDER}
HELSINKI = ZoneInfo("Europe/Helsinki")
COSTS = UnclaimedCosts(outbound_cents=600, return_cents=700, handling_cents=300)


@pytest.fixture
def history(shop):
    """Sixty parcels of one shop with a fixed seed, and a note of what each one was."""
    rng = random.Random(7)
    customers = [CustomerFactory(shop=shop) for _ in range(4)]
    points = [PickupPointFactory(shop=shop) for _ in range(3)]
    statuses = [S.IN_TRANSIT, S.READY_FOR_PICKUP, S.PICKED_UP, S.DELIVERED,
                S.RETURNED_TO_SENDER, S.RETURNED_TO_SENDER, S.DELIVERY_FAILED]  # fmt: skip
    notes = []
    for _ in range(60):
        status = rng.choice(statuses)
        customer = rng.choice(customers)
        method = rng.choice(["pickup_point", "parcel_locker", "home"])
        point = rng.choice(points) if method != "home" else None
        carrier = rng.choice(["posti", "matkahuolto"])
        shipped = datetime(2026, rng.randint(1, 10), rng.randint(1, 28), 12, tzinfo=UTC)
        waited = status in {S.READY_FOR_PICKUP, S.PICKED_UP, S.RETURNED_TO_SENDER}
        ready = shipped + timedelta(days=2) if waited else None
        received = shipped + timedelta(days=3) if status in {S.PICKED_UP, S.DELIVERED} else None
        returned = shipped + timedelta(days=16) if status == S.RETURNED_TO_SENDER else None
        ShipmentFactory(
            shop=shop,
            order=OrderFactory(shop=shop, customer=customer, delivery_method=method),
            carrier=carrier,
            status=status,
            pickup_point=point,
            shipped_at=shipped,
            ready_at=ready,
            received_at=received,
            returned_at=returned,
        )
        notes.append(
            {
                "delivery_method": method,
                "carrier": carrier,
                "pickup_point": point.pk if point else None,
                "customer": customer.pk,
                "month": shipped.astimezone(HELSINKI).strftime("%Y-%m"),
                "reached": status in REACHED,
                "unclaimed": status == S.RETURNED_TO_SENDER,
                "returned": returned,
            }
        )
    return shop, notes


def expected(notes, dimension):
    counts = defaultdict(lambda: [0, 0])
    for note in notes:
        if note["reached"]:
            counts[note[dimension]][0] += 1
            counts[note[dimension]][1] += note["unclaimed"]
    return {key: tuple(value) for key, value in counts.items()}


@pytest.mark.parametrize("dimension", ["delivery_method", "carrier", "pickup_point", "customer"])
def test_it_counts_unclaimed_parcels_by_each_dimension(history, dimension):
    shop, notes = history

    rows = unclaimed_by(shop, dimension, costs=COSTS)

    assert {row.key: (row.shipments, row.unclaimed) for row in rows} == expected(notes, dimension)
    for row in rows:
        assert row.cost_cents == row.unclaimed * 1600
        assert row.currency == "EUR"
        assert row.rate == pytest.approx(row.unclaimed / row.shipments)
    assert [r.unclaimed for r in rows] == sorted((r.unclaimed for r in rows), reverse=True)


def test_it_counts_by_month_in_the_shops_time_zone(history):
    shop, notes = history

    rows = unclaimed_by(shop, "month")

    assert {row.label: (row.shipments, row.unclaimed) for row in rows} == expected(notes, "month")
    assert [row.label for row in rows] == sorted(row.label for row in rows)


def test_it_puts_a_parcel_shipped_late_on_the_last_night_of_a_month_in_the_next(shop):
    # 22:30 UTC on 31 March is 01:30 on 1 April in Helsinki.
    ShipmentFactory(
        shop=shop,
        status=S.RETURNED_TO_SENDER,
        shipped_at=datetime(2026, 3, 31, 22, 30, tzinfo=UTC),
    )
    assert [row.label for row in unclaimed_by(shop, "month")] == ["2026-04"]


def test_it_labels_rows_for_people(history):
    shop, _ = history
    methods = {row.key: row.label for row in unclaimed_by(shop, "delivery_method")}
    assert methods["home"] == "Home delivery"
    assert methods["parcel_locker"] == "Parcel locker"


def test_it_summarises_a_period_and_costs_each_carrier_its_own_way(history):
    shop, notes = history
    since, until = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    costs = UnclaimedCosts(per_carrier={"matkahuolto": UnclaimedCosts(500, 500, 500)})

    summary = unclaimed_summary(shop, since=since, until=until, costs=costs)

    in_period = [n for n in notes if "2026-03" <= n["month"] < "2026-07" and n["reached"]]
    unclaimed = [n for n in in_period if n["unclaimed"]]
    assert summary.shipments == len(in_period)
    assert summary.unclaimed == len(unclaimed)
    assert summary.cost_cents == sum(
        1500 if n["carrier"] == "matkahuolto" else 690 + 690 + 500 for n in unclaimed
    )


def test_it_counts_a_parcel_that_waited_and_then_failed_as_reached(shop):
    ShipmentFactory(shop=shop, status=S.DELIVERY_FAILED, ready_at=datetime(2026, 5, 2, tzinfo=UTC))
    ShipmentFactory(shop=shop, status=S.IN_TRANSIT)
    summary = unclaimed_summary(shop)
    assert (summary.shipments, summary.unclaimed, summary.rate) == (1, 0, 0.0)


def test_it_keeps_shops_apart(history, other_shop):
    shop, notes = history
    ShipmentFactory(shop=other_shop, status=S.RETURNED_TO_SENDER, carrier="posti")
    assert unclaimed_summary(other_shop).unclaimed == 1
    assert unclaimed_summary(shop).unclaimed == sum(n["unclaimed"] for n in notes)


def test_it_needs_one_query_per_report(history, django_assert_num_queries):
    shop, _ = history
    # One aggregate query, plus one for the labels of pickup points, plus one for the shop's own
    # cost figures when the caller does not pass them.
    with django_assert_num_queries(1):
        unclaimed_by(shop, "carrier", costs=UnclaimedCosts())
    with django_assert_num_queries(2):
        unclaimed_by(shop, "pickup_point", costs=UnclaimedCosts())
    with django_assert_num_queries(2):
        unclaimed_by(shop, "carrier")


def test_it_refuses_an_unknown_dimension(shop):
    with pytest.raises(ValueError, match="dimension must be one of"):
        unclaimed_by(shop, "colour")


def test_it_flags_customers_with_two_unclaimed_parcels_in_twelve_months(history):
    shop, notes = history
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    flagged = flagged_customers(shop, now)

    by_customer = defaultdict(int)
    for note in notes:
        if note["unclaimed"] and now - timedelta(days=365) < note["returned"] <= now:
            by_customer[note["customer"]] += 1
    assert {f.customer.pk: f.unclaimed for f in flagged} == {
        customer: count for customer, count in by_customer.items() if count >= 2
    }
    assert all(is_flagged(shop, f.customer, now) for f in flagged)


def test_it_forgets_parcels_left_unclaimed_over_a_year_ago(shop):
    customer = CustomerFactory(shop=shop)
    now = datetime(2026, 11, 23, tzinfo=UTC)
    for returned in (now - timedelta(days=400), now - timedelta(days=30)):
        ShipmentFactory(
            shop=shop,
            order=OrderFactory(shop=shop, customer=customer),
            status=S.RETURNED_TO_SENDER,
            returned_at=returned,
        )
    assert flagged_customers(shop, now) == []
    assert not is_flagged(shop, customer, now)

    ShipmentFactory(
        shop=shop,
        order=OrderFactory(shop=shop, customer=customer),
        status=S.RETURNED_TO_SENDER,
        returned_at=now - timedelta(days=2),
    )
    [flag] = flagged_customers(shop, now)
    assert (flag.customer, flag.unclaimed, flag.last_unclaimed_at) == (
        customer,
        2,
        now - timedelta(days=2),
    )


@pytest.mark.parametrize("top", [1, 2, 15])
def test_the_report_adds_up_every_dimension_as_unclaimed_by_does(history, top):
    shop, notes = history
    since = datetime(2026, 3, 1, tzinfo=UTC)
    costs = UnclaimedCosts(per_carrier={"matkahuolto": UnclaimedCosts(500, 500, 500)})
    assert_equals_a_direct_count(shop, since, top=top, costs=costs)


def test_the_report_of_a_shop_without_parcels_is_empty(shop):
    report = unclaimed_report(shop)
    assert report.summary.shipments == 0 and report.by_customer == [] and report.months == []
