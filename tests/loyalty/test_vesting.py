"""Points vest on each order's real return deadline, with a clock moved day by day.

Shop A runs the programme (tests/loyalty/conftest.py): 2 points per euro of each line's net
amount, 100 points for a first order. The default order earns 40 + 40 (two shirts, net 20 € each,
as one line: 80) + 20 (the cap) + 100 (first order) = 200 points.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersale.loyalty import selectors, services
from aftersale.loyalty.models import LedgerEntry
from aftersale.orders.models import Customer
from tests.loyalty.stories import open_return, place, read_timeline, settle, track, vest_now

HELSINKI = ZoneInfo("Europe/Helsinki")
# The clock starts on Monday 2 November 2026, 09:00 UTC (tests/loyalty/conftest.py).
SATURDAY = datetime(2026, 10, 31, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
THURSDAY = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)


def at_helsinki(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HELSINKI)


def balance(shop, external_id="c-1"):
    customer = Customer.objects.for_shop(shop).get(external_id=external_id)
    return selectors.balance(shop, customer)


@pytest.fixture
def order(programme, clock):
    placed = place(programme, "A-1", placed_at=SATURDAY)
    read_timeline()
    return placed


def test_an_order_earns_pending_points_by_line_and_a_first_order_bonus(programme, order):
    entries = LedgerEntry.objects.for_shop(programme).filter(kind="earn").order_by("id")
    assert [(e.source_type, e.pending_points, e.amount_cents) for e in entries] == [
        ("order_line", 80, 4000),
        ("order_line", 20, 1000),
        ("order", 100, 0),
    ]
    assert {e.rule.version for e in entries} == {1}
    assert balance(programme).pending == 200
    assert balance(programme).available == 0


def test_points_delivered_on_monday_vest_after_the_deadline_two_weeks_later(
    programme, order, clock
):
    track(programme, order, "delivered", MONDAY)
    read_timeline()
    # Received Monday 2 November: the last day to return is Monday 16, the points vest on 17.
    assert balance(programme).next_vesting == [(date(2026, 11, 17), 200)]
    clock.move_to(at_helsinki(date(2026, 11, 16), 23, 30))
    vest_now()
    assert (balance(programme).available, balance(programme).pending) == (0, 200)
    clock.move_to(at_helsinki(date(2026, 11, 17), 0, 30))
    vest_now()
    assert (balance(programme).available, balance(programme).pending) == (200, 0)
    assert balance(programme).next_vesting == []


def test_points_picked_up_on_thursday_vest_later_than_monday_deliveries(programme, order, clock):
    track(programme, order, "picked_up", THURSDAY)
    read_timeline()
    assert balance(programme).next_vesting == [(date(2026, 11, 20), 200)]
    clock.move_to(at_helsinki(date(2026, 11, 17), 12))
    vest_now()
    assert balance(programme).available == 0
    clock.move_to(at_helsinki(date(2026, 11, 20), 1))
    vest_now()
    assert balance(programme).available == 200


def test_a_parcel_on_its_way_holds_the_points_past_the_estimate(programme, order, clock):
    track(programme, order, "in_transit", MONDAY)
    read_timeline()
    clock.move_to(at_helsinki(date(2026, 11, 25), 12))
    vest_now()
    assert balance(programme).available == 0  # no tracking says it was ever received…
    # …an order without any shipment at all counts from the policy's estimate instead.
    place(programme, "A-2", placed_at=datetime(2026, 11, 24, tzinfo=UTC))
    read_timeline()
    clock.move_to(at_helsinki(date(2026, 12, 20), 12))
    vest_now()
    assert balance(programme).available == 40 + 40 + 20  # A-2's lines, no second bonus


def test_a_return_opened_on_day_13_holds_the_points_until_it_is_settled(programme, order, clock):
    track(programme, order, "delivered", MONDAY)
    read_timeline()
    clock.move_to(at_helsinki(date(2026, 11, 15), 10))  # day 13
    returned = open_return(programme, order, "TEE", 1)
    read_timeline()
    clock.move_to(at_helsinki(date(2026, 11, 17), 1))
    vest_now()
    assert (balance(programme).available, balance(programme).pending) == (0, 200)
    assert balance(programme).next_vesting == [(date(2026, 11, 18), 200)]
    # The shirt comes back and is refunded: exactly its share of the line's points goes.
    clock.move_to(at_helsinki(date(2026, 11, 20), 10))
    settle(programme, returned)
    read_timeline()
    assert balance(programme).pending == 160
    clock.move_to(at_helsinki(date(2026, 11, 21), 1))
    vest_now()
    assert (balance(programme).available, balance(programme).pending) == (160, 0)
    reversal = LedgerEntry.objects.for_shop(programme).get(kind="reverse")
    assert (reversal.pending_points, reversal.amount_cents) == (-40, -2000)


def test_store_credit_reverses_that_lines_points(programme, order, clock):
    track(programme, order, "delivered", MONDAY)
    read_timeline()
    clock.move_to(at_helsinki(date(2026, 11, 6), 10))
    settle(programme, open_return(programme, order, "CAP", 1, resolution="store_credit"))
    read_timeline()
    assert balance(programme).pending == 180
    clock.move_to(at_helsinki(date(2026, 11, 17), 1))
    vest_now()
    assert balance(programme).available == 180


def test_returning_every_item_takes_the_first_order_bonus_too(programme, order, clock):
    track(programme, order, "delivered", MONDAY)
    read_timeline()
    clock.move_to(at_helsinki(date(2026, 11, 6), 10))
    settle(programme, open_return(programme, order, "TEE", 2))
    settle(programme, open_return(programme, order, "CAP", 1))
    read_timeline()
    assert balance(programme).pending == 0
    clock.move_to(at_helsinki(date(2026, 11, 30), 1))
    vest_now()
    assert balance(programme).available == 0


def test_an_unclaimed_parcels_points_never_vest(programme, order, clock):
    clock.move_to(at_helsinki(date(2026, 11, 14), 10))
    track(programme, order, "returned_to_sender", at_helsinki(date(2026, 11, 14), 9))
    read_timeline()
    assert balance(programme).pending == 0
    assert set(
        LedgerEntry.objects.for_shop(programme).filter(kind="earn").values_list("state", flat=True)
    ) == {"reversed"}
    clock.move_to(at_helsinki(date(2026, 12, 30), 1))
    vest_now()
    assert balance(programme).available == 0


def test_a_reversal_uses_the_rule_that_earned_the_points(programme, order, clock):
    services.save_rule(programme, points_per_euro=5)  # after earning, before the return
    track(programme, order, "delivered", MONDAY)
    read_timeline()
    settle(programme, open_return(programme, order, "CAP", 1))
    read_timeline()
    reversal = LedgerEntry.objects.for_shop(programme).get(kind="reverse")
    assert reversal.pending_points == -20  # 2 per euro, as earned; not 5
    assert reversal.rule.version == 1
    assert balance(programme).pending == 180
    # The next order earns by the new rule.
    place(programme, "A-2", placed_at=datetime(2026, 11, 2, 8, tzinfo=UTC))
    read_timeline()
    assert balance(programme).pending == 180 + 200 + 50


def test_a_cancelled_order_earns_nothing(programme, order, clock):
    from aftersale.orders.services import upsert_order

    upsert_order(
        programme,
        {
            "external_id": "A-1",
            "number": "A-1",
            "placed_at": SATURDAY.isoformat(),
            "status": "cancelled",
            "customer": {"external_id": "c-1"},
            "lines": [],
        },
    )
    read_timeline()
    assert balance(programme).pending == 0


def test_imported_history_earns_nothing(programme, clock):
    # Two years of orders, and one placed the day before the programme started.
    for month in range(24):
        place(
            programme,
            f"old-{month}",
            placed_at=datetime(2024, 11, 1, tzinfo=UTC) + timedelta(days=30 * month),
        )
    place(programme, "eve", placed_at=datetime(2026, 10, 25, 23, tzinfo=UTC), customer="c-2")
    read_timeline()
    assert not LedgerEntry.objects.exists()
    # A new order of the customer with history earns, but not a first-order bonus.
    place(programme, "new", placed_at=datetime(2026, 11, 2, 8, tzinfo=UTC))
    read_timeline()
    assert balance(programme).pending == 100


def test_a_shop_without_a_running_programme_earns_nothing(shop_b, clock):
    place(shop_b.shop, "B-1", placed_at=SATURDAY)
    read_timeline()
    assert not LedgerEntry.objects.exists()


def test_reading_the_timeline_twice_earns_once(programme, order, clock):
    from aftersale.loyalty.models import TimelineCursor

    TimelineCursor.objects.update(last_event_id=0)
    read_timeline()
    assert balance(programme).pending == 200
