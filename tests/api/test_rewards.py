"""API v1 rewards: the catalogue, code uploads, redeeming for a customer, their codes,
cancelling; another shop's ids are 404."""

from __future__ import annotations

import pytest

from aftersale.loyalty import selectors
from aftersale.loyalty.reward_models import Redemption, RewardCode
from tests.factories import CustomerFactory
from tests.loyalty.rewards_helpers import pool_reward, running_programme, with_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(shop_a):
    return running_programme(shop_a.shop)


def test_it_lists_the_catalogue(api, shop):
    reward = pool_reward(shop, codes=())
    body = api(shop).get("/loyalty/rewards").json()
    assert body == [
        {
            "id": reward.pk,
            "name": "5 € off",
            "description": "",
            "kind": "fixed_amount",
            "amount_cents": 500,
            "percent": 0,
            "product_sku": "",
            "minimum_order_cents": 0,
            "points_cost": 500,
            "code_source": "pool",
            "active": True,
        }
    ]


def test_it_adds_codes_all_or_none_naming_the_bad_ones(api, shop):
    reward = pool_reward(shop, codes=())
    bad = api(shop).post(f"/loyalty/rewards/{reward.pk}/codes", {"codes": ["OK-001", "x y"]})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["pointer"] == "/codes/1"
    assert not RewardCode.objects.exists()
    good = api(shop).post(f"/loyalty/rewards/{reward.pk}/codes", {"codes": ["OK-001", "OK-002"]})
    assert good.json() == {"added": 2, "already_there": 0}


def test_it_redeems_for_a_customer_and_lists_their_codes(api, shop):
    customer = with_points(shop, CustomerFactory(shop=shop, external_id="c-1"), 600)
    reward = pool_reward(shop)

    made = api(shop).post("/customers/c-1/redemptions", {"reward_id": reward.pk})
    assert made.status_code == 201
    assert made.json()["code"] == "CODE-001" and made.json()["state"] == "reserved"
    short = api(shop).post("/customers/c-1/redemptions", {"reward_id": reward.pk})
    assert short.status_code == 409
    assert short.json()["type"].endswith("not_enough_points")

    listed = api(shop).get("/customers/c-1/redemptions").json()
    assert [r["code"] for r in listed] == ["CODE-001"]
    assert selectors.balance(shop, customer).available == 100


def test_it_cancels_an_unused_code_and_returns_the_points(api, shop):
    customer = with_points(shop, CustomerFactory(shop=shop, external_id="c-1"), 500)
    reward = pool_reward(shop)
    made = api(shop).post("/customers/c-1/redemptions", {"reward_id": reward.pk}).json()

    done = api(shop).post(f"/redemptions/{made['id']}/cancel", {"reason": "customer asked"})
    assert done.status_code == 200 and done.json()["state"] == "cancelled"
    again = api(shop).post(f"/redemptions/{made['id']}/cancel", {"reason": "again"})
    assert again.status_code == 409
    assert selectors.balance(shop, customer).available == 500


def test_another_shops_rewards_customers_and_codes_are_404(api, shop, shop_b):
    running_programme(shop_b.shop)
    theirs = pool_reward(shop_b.shop)
    customer = with_points(shop_b.shop, CustomerFactory(shop=shop_b.shop, external_id="b-1"), 900)
    redemption = (
        api(shop_b.shop).post("/customers/b-1/redemptions", {"reward_id": theirs.pk}).json()
    )
    CustomerFactory(shop=shop, external_id="a-1")
    ours = api(shop)

    assert ours.get("/loyalty/rewards").json() == []
    assert ours.post(f"/loyalty/rewards/{theirs.pk}/codes", {"codes": ["Z-001"]}).status_code == 404
    assert ours.post("/customers/b-1/redemptions", {"reward_id": theirs.pk}).status_code == 404
    assert ours.post("/customers/a-1/redemptions", {"reward_id": theirs.pk}).status_code == 404
    assert ours.get("/customers/b-1/redemptions").status_code == 404
    cancel = ours.post(f"/redemptions/{redemption['id']}/cancel", {"reason": "x"})
    assert cancel.status_code == 404
    assert Redemption.objects.get().state == "reserved"
    assert selectors.balance(shop_b.shop, customer).available == 400
