"""The withdrawal period: 14 days from receipt of the last item, to the end of the 14th day in
the shop's time zone; 12 months more when the shop did not inform the consumer of the right."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersale.returns import deadlines, withdrawals
from aftersale.returns.models import Withdrawal
from tests.factories import ShipmentFactory
from tests.withdrawals.fixtures import delivered_order, helsinki, set_withdrawal_settings

pytestmark = pytest.mark.django_db

# Delivered 5 November 2026 at 16:00 in Helsinki: the 19th is day 14, the 20th day 15.
DAY_14_LATE_EVENING = helsinki(2026, 11, 19, 23, 30)
DAY_15_JUST_AFTER_MIDNIGHT = helsinki(2026, 11, 20, 0, 5)


def test_it_accepts_a_notice_late_on_day_14(shop_a):
    order = delivered_order(shop_a.shop)
    withdrawal = withdrawals.notify_withdrawal(shop_a.shop, order, now=DAY_14_LATE_EVENING)
    assert withdrawal.notified_at == DAY_14_LATE_EVENING
    assert withdrawal.whole_order


def test_it_refuses_a_notice_on_day_15_and_says_why(shop_a):
    order = delivered_order(shop_a.shop)
    with pytest.raises(withdrawals.WithdrawalRefused) as refused:
        withdrawals.notify_withdrawal(shop_a.shop, order, now=DAY_15_JUST_AFTER_MIDNIGHT)
    assert "ended on" in refused.value.message
    assert refused.value.complaint_possible
    assert not Withdrawal.objects.exists()


def test_it_counts_from_the_last_parcel_received(shop_a):
    order = delivered_order(shop_a.shop)
    later = helsinki(2026, 11, 8, 12)
    ShipmentFactory(order=order, status="delivered", shipped_at=later, received_at=later)
    period = deadlines.withdrawal_period(order)
    assert period.ends_at == datetime(2026, 11, 22, 21, 59, 59, 999999, tzinfo=UTC)
    withdrawals.notify_withdrawal(shop_a.shop, order, now=helsinki(2026, 11, 22, 18))


def test_it_extends_the_period_by_12_months_when_the_consumer_was_not_informed(shop_a):
    set_withdrawal_settings(shop_a.shop, informed_of_withdrawal_right=False)
    order = delivered_order(shop_a.shop)
    period = deadlines.withdrawal_period(order)
    assert period.extended
    # The 14-day period's last day is 19 Nov 2026; twelve months later: 19 Nov 2027.
    assert period.ends_at == datetime(2027, 11, 19, 21, 59, 59, 999999, tzinfo=UTC)
    withdrawal = withdrawals.notify_withdrawal(shop_a.shop, order, now=helsinki(2027, 11, 19, 20))
    assert withdrawal.period_extended


def test_it_refuses_after_the_extended_period_too(shop_a):
    set_withdrawal_settings(shop_a.shop, informed_of_withdrawal_right=False)
    order = delivered_order(shop_a.shop)
    with pytest.raises(withdrawals.WithdrawalRefused):
        withdrawals.notify_withdrawal(shop_a.shop, order, now=helsinki(2027, 11, 20, 9))


def test_it_moves_the_29th_of_february_to_the_28th():
    from datetime import date

    assert deadlines.add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
