"""Recording a notice of withdrawal: which lines, the exact time, one timeline event."""

from __future__ import annotations

import pytest

from aftersale.returns import withdrawals
from aftersale.returns.models import Withdrawal
from aftersale.timeline.models import Event
from tests.returns.fixtures import non_returnable_line
from tests.withdrawals.fixtures import delivered_order, helsinki

pytestmark = pytest.mark.django_db

NOW = helsinki(2026, 11, 10, 9, 15)


def test_it_records_the_chosen_lines_and_the_exact_time_with_an_event(shop_a):
    order = delivered_order(shop_a.shop, lines=2)
    first, second = order.lines.order_by("id")
    withdrawal = withdrawals.notify_withdrawal(shop_a.shop, order, line_ids=[second.pk], now=NOW)
    assert [item.order_line for item in withdrawal.lines.all()] == [second]
    assert not withdrawal.whole_order
    assert withdrawal.refund_due_at == helsinki(2026, 11, 24, 9, 15)
    event = Event.objects.get(type="withdrawal.notified")
    assert event.subject_id == withdrawal.pk
    assert event.payload["lines"][0]["name"] == second.name
    assert event.payload["notified_at"] == NOW.isoformat()
    # The first line can still be withdrawn from later; the second no longer.
    items = {item.line.pk: item for item in withdrawals.withdrawable_lines(order)}
    assert items[first.pk].can_withdraw and not items[second.pk].can_withdraw


def test_it_never_includes_hygiene_products_but_does_include_final_sale(shop_a):
    order = delivered_order(shop_a.shop, lines=1)
    sealed = non_returnable_line(order, "hygiene")
    withdrawal = withdrawals.notify_withdrawal(shop_a.shop, order, now=NOW)
    assert sealed.pk not in withdrawal.lines.values_list("order_line_id", flat=True)
    with pytest.raises(withdrawals.WithdrawalRefused):
        withdrawals.notify_withdrawal(shop_a.shop, order, line_ids=[sealed.pk], now=NOW)


def test_it_refuses_an_empty_choice_and_writes_nothing(shop_a):
    order = delivered_order(shop_a.shop)
    with pytest.raises(withdrawals.WithdrawalRefused) as refused:
        withdrawals.notify_withdrawal(shop_a.shop, order, line_ids=[], now=NOW)
    assert refused.value.field == "lines"
    assert not Withdrawal.objects.exists()
    assert not Event.objects.filter(type="withdrawal.notified").exists()


def test_it_refuses_a_foreign_shops_order(shop_a, shop_b):
    order = delivered_order(shop_b.shop)
    with pytest.raises(Exception):  # noqa: B017 - not found in shop A, whatever the class
        withdrawals.notify_withdrawal(shop_a.shop, order, now=NOW)
    assert not Withdrawal.objects.exists()
