"""Rewards: the catalogue's rules, code pools (API lists and CSV files with numbered lines),
redeeming for points, giving a code back, and settling when an ingested order uses the code."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from aftersale.loyalty import rewards, selectors
from aftersale.loyalty.models import LedgerEntry
from aftersale.loyalty.orders_seen import read_new_orders
from aftersale.loyalty.reward_models import Redemption, Reward, RewardCode
from aftersale.orders.csv_import import ImportFailed
from aftersale.orders.payloads import OrderIn
from aftersale.orders.services import upsert_order
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.factories import CustomerFactory
from tests.loyalty.conftest import START
from tests.loyalty.rewards_helpers import platform_reward, pool_reward, with_points

HOUR = timedelta(hours=1)
DAYS_3 = timedelta(days=3)


def test_it_refuses_a_reward_that_says_nothing(programme):
    with pytest.raises(ValidationError) as refused:
        rewards.save_reward(programme, name="10 %", kind="percentage", percent=0, points_cost=0)
    assert set(refused.value.message_dict) == {"percent", "points_cost"}
    with pytest.raises(ValidationError) as refused:
        rewards.save_reward(programme, name="Socks", kind="product", points_cost=900)
    assert "product_sku" in refused.value.message_dict
    assert not Reward.objects.exists()


def test_it_keeps_one_welcome_reward_for_friends(programme):
    first = pool_reward(programme, for_referred_friends=True, codes=())
    second = pool_reward(programme, name="10 %", for_referred_friends=True, codes=())
    first.refresh_from_db()
    assert (first.for_referred_friends, second.for_referred_friends) == (False, True)


def test_it_names_each_bad_line_of_a_code_file_and_adds_nothing(programme):
    reward = pool_reward(programme, codes=())
    other = pool_reward(programme, name="Other", codes=["TAKEN-1"])
    data = b"code\nGOOD-0001\n\nbad code!\nGOOD-0001\nTAKEN-1\n,\n"
    with pytest.raises(ImportFailed) as failed:
        rewards.import_codes_csv(programme, reward, io.BytesIO(data))
    lines = {(p.row, p.message.split(" ")[0]) for p in failed.value.problems}
    assert lines == {(4, "'bad"), (5, "GOOD-0001"), (6, "TAKEN-1")}
    assert "first on line 2" in str(failed.value)
    assert not RewardCode.objects.filter(reward=reward).exists()
    assert RewardCode.objects.filter(reward=other).count() == 1


def test_it_reads_a_spreadsheets_code_file_and_takes_a_replay_calmly(programme):
    reward = pool_reward(programme, codes=())
    data = "\ufeffcode;note\r\nALE-0001;kevät\r\nALE-0002;\r\n".encode()
    added = rewards.import_codes_csv(programme, reward, io.BytesIO(data))
    assert (added.added, added.already_there) == (2, 0)
    again = rewards.import_codes_csv(programme, reward, io.BytesIO(b"ALE-0001\nALE-0003\n"))
    assert (again.added, again.already_there) == (1, 1)
    assert RewardCode.objects.filter(reward=reward).count() == 3


def test_a_redemption_debits_the_points_and_hands_out_a_pool_code_once(programme):
    customer = with_points(programme, CustomerFactory(shop=programme), 1200)
    reward = pool_reward(programme)

    first = rewards.redeem_reward(programme, customer, reward, channel="portal")
    second = rewards.redeem_reward(programme, customer, reward, channel="portal")

    assert (first.code, second.code) == ("CODE-001", "CODE-002")
    assert selectors.balance(programme, customer).available == 200
    entries = LedgerEntry.objects.filter(customer=customer, kind=LedgerEntry.Kind.REDEEM)
    assert sorted(e.source_id for e in entries) == sorted([first.pk, second.pk])
    assert set(RewardCode.objects.values_list("state", flat=True)) == {"handed_out"}
    event = Event.objects.filter(type=types.LOYALTY_REWARD_REDEEMED).first()
    assert event.payload["code"] == "CODE-001" and "shopify" not in event.payload


def test_nothing_is_written_when_points_or_codes_run_out(programme):
    customer = with_points(programme, CustomerFactory(shop=programme), 700)
    reward = pool_reward(programme, codes=["ONLY-ONE"])
    rewards.redeem_reward(programme, customer, reward, channel="api")

    with pytest.raises(rewards.CannotRedeem) as short:
        rewards.redeem_reward(programme, customer, reward, channel="api")
    assert short.value.code == "not_enough_points"
    with_points(programme, customer, 1000)
    with pytest.raises(rewards.CannotRedeem) as empty:
        rewards.redeem_reward(programme, customer, reward, channel="api")
    assert empty.value.code == "no_codes_left"
    assert Redemption.objects.count() == 1
    assert selectors.balance(programme, customer).available == 1200


def test_a_platform_code_carries_shopify_and_woocommerce_coupons(programme):
    customer = with_points(programme, CustomerFactory(shop=programme, email="a@x.fi"), 300)
    reward = platform_reward(programme, minimum_order_cents=3000)

    redemption = rewards.redeem_reward(programme, customer, reward, channel="portal")

    assert redemption.code.startswith("POHJOL-")
    payload = Event.objects.get(type=types.LOYALTY_REWARD_REDEEMED).payload
    rule = payload["shopify"]["price_rule"]
    assert rule["target_type"] == "shipping_line" and rule["value"] == "-100.0"
    assert rule["usage_limit"] == 1
    assert rule["prerequisite_subtotal_range"] == {"greater_than_or_equal_to": "30.00"}
    assert payload["shopify"]["discount_code"] == {"code": redemption.code}
    coupon = payload["woocommerce"]
    assert coupon["code"] == redemption.code and coupon["free_shipping"] is True
    assert coupon["email_restrictions"] == ["a@x.fi"] and coupon["minimum_amount"] == "30.00"


def test_a_customer_gives_an_unused_code_back_within_the_days_allowed(programme, clock):
    customer = with_points(programme, CustomerFactory(shop=programme), 1000)
    reward = pool_reward(programme, cancel_days=14)
    kept = rewards.redeem_reward(programme, customer, reward, channel="portal")
    late = rewards.redeem_reward(programme, customer, reward, channel="portal")
    assert selectors.balance(programme, customer).available == 0

    rewards.cancel_redemption(programme, kept, reason="changed my mind", by_customer=True)
    clock.shift(timedelta(days=15))
    with pytest.raises(ValidationError):
        rewards.cancel_redemption(programme, late, reason="too late", by_customer=True)
    rewards.cancel_redemption(programme, late, reason="staff goodwill")  # staff may

    assert selectors.balance(programme, customer).available == 1000
    assert selectors.ledger_sums(programme, customer) == (1000, 0)
    assert set(RewardCode.objects.values_list("state", flat=True)) == {"void"}
    with pytest.raises(ValidationError):  # once
        rewards.cancel_redemption(programme, kept, reason="again")
    assert Event.objects.filter(type=types.LOYALTY_REWARD_CANCELLED).count() == 2


def _order(shop, customer, external_id, codes, placed_at):
    return OrderIn.model_validate(
        {
            "external_id": external_id,
            "placed_at": placed_at.isoformat(),
            "customer": {"external_id": customer.external_id, "email": customer.email},
            "lines": [{"external_id": "1", "name": "Merino", "unit_price_cents": 4990}],
            "discount_codes": codes,
        }
    )


def test_an_ingested_order_that_uses_the_code_settles_the_redemption(programme, clock):
    customer = with_points(programme, CustomerFactory(shop=programme), 500)
    redemption = rewards.redeem_reward(programme, customer, pool_reward(programme), channel="api")
    # An order placed before the redemption is not its use (imported history, say).
    upsert_order(programme, _order(programme, customer, "old", ["code-001"], START - DAYS_3))
    clock.shift(timedelta(hours=2))
    upsert_order(programme, _order(programme, customer, "new", ["code-001"], START + HOUR))
    clock.shift(timedelta(minutes=1))

    read_new_orders()

    redemption.refresh_from_db()
    assert redemption.state == Redemption.State.SETTLED
    assert redemption.settled_order.external_id == "new"
    used = Event.objects.get(type=types.LOYALTY_REWARD_USED)
    assert used.payload["order_external_id"] == "new" and used.customer == customer
    read_new_orders()  # again: nothing doubles
    assert Event.objects.filter(type=types.LOYALTY_REWARD_USED).count() == 1


def test_a_code_already_given_out_cannot_be_uploaded_again(programme):
    customer = with_points(programme, CustomerFactory(shop=programme), 300)
    made = rewards.redeem_reward(programme, customer, platform_reward(programme), channel="api")
    reward = pool_reward(programme, codes=())
    with pytest.raises(ImportFailed) as failed:
        rewards.add_codes(programme, reward, ["FRESH-1", made.code.lower()])
    [problem] = failed.value.problems
    assert problem.row == 2 and "already given to a customer" in problem.message
