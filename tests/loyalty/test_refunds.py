"""A refund without a return (sent by the shop's platform through the ingest, or a
withdrawal's refund) takes back the order's points in proportion to the refunded share of the
order's total, from the pending points or, once vested, from the available ones.

The default order (tests/loyalty/stories.py) costs 62.00 € and earns 80 + 20 points on its
lines (net 40 € and 10 €) and a first-order bonus of 100.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersale.loyalty import rewards, selectors
from aftersale.loyalty.models import LedgerEntry
from aftersale.orders.models import Customer
from aftersale.orders.services import upsert_refund
from tests.loyalty.rewards_helpers import pool_reward
from tests.loyalty.stories import open_return, place, read_timeline, settle, track, vest_now

SATURDAY = datetime(2026, 10, 31, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def balance(shop):
    return selectors.balance(shop, Customer.objects.for_shop(shop).get(external_id="c-1"))


def refund(shop, order, cents, external_id="R-1"):
    upsert_refund(
        shop,
        {
            "external_id": external_id,
            "order_external_id": order.external_id,
            "amount_cents": cents,
            "refunded_at": datetime.now(UTC).isoformat(),
        },
    )
    read_timeline()


def reversed_points(shop):
    entries = LedgerEntry.objects.for_shop(shop).filter(kind="reverse")
    return sum(-(e.points + e.pending_points) for e in entries)


@pytest.fixture
def order(programme, clock):
    placed = place(programme, "A-1", placed_at=SATURDAY)
    read_timeline()
    assert balance(programme).pending == 200
    return placed


def test_a_partial_refund_reverses_that_share_of_the_pending_line_points(programme, order):
    refund(programme, order, 3100)  # half of 62.00 €
    assert balance(programme).pending == 150  # 40 of 80 and 10 of 20; the bonus stays
    assert reversed_points(programme) == 50
    reason = LedgerEntry.objects.for_shop(programme).filter(kind="reverse").first().reason
    assert "31.00" in reason and "A-1" in reason


def test_a_refund_sent_again_or_read_twice_reverses_once(programme, order):
    refund(programme, order, 3100)
    refund(programme, order, 3100)  # the same refund again (same id): nothing new
    from aftersale.loyalty import earning

    earning.process_events()  # nothing unread; and a replayed event finds its entries
    assert balance(programme).pending == 150
    # A second, different refund of the other half takes the rest of the lines.
    refund(programme, order, 3100, external_id="R-2")
    assert balance(programme).pending == 0
    assert reversed_points(programme) == 200


def test_a_whole_refund_takes_every_point_of_the_order_and_nothing_vests(programme, order, clock):
    refund(programme, order, 6200)
    assert balance(programme).pending == 0
    assert set(
        LedgerEntry.objects.for_shop(programme).filter(kind="earn").values_list("state", flat=True)
    ) == {"reversed"}
    track(programme, order, "delivered", MONDAY)
    read_timeline()
    clock.move_to(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    vest_now()
    assert (balance(programme).available, balance(programme).pending) == (0, 0)


def test_a_refund_after_vesting_takes_the_points_from_the_available_balance(
    programme, order, clock
):
    track(programme, order, "delivered", MONDAY)
    read_timeline()
    clock.move_to(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    vest_now()
    assert balance(programme).available == 200
    reward = pool_reward(programme, name="5 €", points_cost=180, codes=["P-1", "P-2"])
    customer = Customer.objects.for_shop(programme).get(external_id="c-1")
    rewards.redeem_reward(programme, customer, reward, channel="portal")
    assert balance(programme).available == 20

    refund(programme, order, 6200)
    # Spent points are not clawed back from the reward: the balance goes below zero, and the
    # next redemption waits until it is positive again (docs/merchants/loyalty.md).
    assert balance(programme).available == 20 - 200
    with pytest.raises(rewards.CannotRedeem):
        rewards.redeem_reward(programme, customer, reward, channel="portal")


def test_the_platforms_refund_of_a_return_handled_here_takes_nothing_twice(programme, order, clock):
    track(programme, order, "delivered", MONDAY)
    read_timeline()
    clock.shift(timedelta(days=2))
    return_request = open_return(programme, order, "CAP", 1)
    settle(programme, return_request)
    read_timeline()
    assert balance(programme).pending == 180  # the cap's 20
    refund(programme, order, 1240, external_id="platform-refund-of-the-cap")
    assert balance(programme).pending == 180
    assert reversed_points(programme) == 20


def test_a_refund_in_another_shop_leaves_these_points_alone(programme, order, shop_b):
    other = place(shop_b.shop, "A-1", placed_at=SATURDAY)
    refund(shop_b.shop, other, 6200)
    assert balance(programme).pending == 200


def test_a_withdrawal_refund_reverses_the_points_too(programme, order, clock):
    from aftersale.returns import withdrawals

    track(programme, order, "delivered", MONDAY)
    clock.shift(timedelta(days=2))
    withdrawal = withdrawals.notify_withdrawal(programme, order)
    withdrawals.refund_withdrawal(programme, withdrawal, amount_cents=6200)
    read_timeline()
    assert (balance(programme).available, balance(programme).pending) == (0, 0)
