"""Staff give a reward without points (goodwill): from the member's page or the API, with a
reason required, recorded with who gave it; the points stay; never to another shop's
customer or with another shop's reward."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from aftersale.loyalty import rewards, selectors
from aftersale.loyalty.models import LedgerEntry
from aftersale.loyalty.reward_models import Redemption
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.factories import CustomerFactory
from tests.loyalty.rewards_helpers import pool_reward, with_points


@pytest.fixture
def customer(programme):
    return with_points(programme, CustomerFactory(shop=programme, external_id="c-9"), 40)


def test_a_goodwill_reward_gives_a_code_and_keeps_the_points(programme, customer, shop_a):
    reward = pool_reward(programme, codes=["SORRY-1"])
    given = rewards.give_reward(
        programme, customer, reward, reason="Parcel 5 days late", staff_user=shop_a.staff
    )
    assert (given.code, given.points, given.channel) == ("SORRY-1", 0, "goodwill")
    assert (given.reason, given.issued_by) == ("Parcel 5 days late", shop_a.staff)
    assert selectors.balance(programme, customer).available == 40
    assert not LedgerEntry.objects.filter(kind="redeem").exists()
    event = Event.objects.get(type=types.LOYALTY_REWARD_REDEEMED)
    assert event.payload["reason"] == "Parcel 5 days late"
    assert event.payload["by"] == shop_a.staff.get_username()
    assert event.payload["points"] == 0


def test_a_goodwill_reward_needs_a_reason_and_writes_nothing_without_one(programme, customer):
    reward = pool_reward(programme, codes=["SORRY-1"])
    with pytest.raises(ValidationError) as refused:
        rewards.give_reward(programme, customer, reward, reason="  ")
    assert "reason" in refused.value.message_dict
    assert not Redemption.objects.exists()


def test_staff_give_a_reward_from_the_members_page(login, shop_a, programme, customer):
    reward = pool_reward(programme, codes=["SORRY-1"])
    client = login(shop_a.staff)
    url = f"/loyalty/members/{customer.pk}/"
    refused = client.post(url, {"give": "1", "give-reward": reward.pk, "give-reason": ""})
    assert refused.status_code == 400
    assert not Redemption.objects.exists()
    response = client.post(
        url, {"give": "1", "give-reward": reward.pk, "give-reason": "Broken zip"}, follow=True
    )
    assert "SORRY-1" in response.content.decode()
    given = Redemption.objects.get()
    assert (given.customer, given.reason, given.issued_by) == (customer, "Broken zip", shop_a.staff)
    assert selectors.balance(programme, customer).available == 40


def test_an_empty_pool_is_said_on_the_page(login, shop_a, programme, customer):
    reward = pool_reward(programme, codes=())
    response = login(shop_a.staff).post(
        f"/loyalty/members/{customer.pk}/",
        {"give": "1", "give-reward": reward.pk, "give-reason": "Late"},
    )
    assert response.status_code == 400
    assert "run out" in response.content.decode()


def test_another_shops_reward_or_customer_cannot_be_given(login, shop_a, shop_b, programme):
    theirs = pool_reward(shop_b.shop, codes=["B-1"])
    their_customer = CustomerFactory(shop=shop_b.shop)
    mine = CustomerFactory(shop=programme)
    client = login(shop_a.staff)
    response = client.post(
        f"/loyalty/members/{mine.pk}/",
        {"give": "1", "give-reward": theirs.pk, "give-reason": "x"},
    )
    assert response.status_code == 400  # not a choice in shop A
    assert client.get(f"/loyalty/members/{their_customer.pk}/").status_code == 404
    assert not Redemption.objects.exists()


def test_the_api_gives_a_goodwill_reward_with_a_reason(api, programme, customer, shop_b):
    reward = pool_reward(programme, codes=["SORRY-1", "SORRY-2"])
    client = api(programme)
    missing = client.post("/customers/c-9/goodwill-rewards", {"reward_id": reward.pk, "reason": ""})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["pointer"] == "/reason"
    response = client.post(
        "/customers/c-9/goodwill-rewards", {"reward_id": reward.pk, "reason": "Late parcel"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["points"], body["channel"], body["reason"]) == (
        "SORRY-1",
        0,
        "goodwill",
        "Late parcel",
    )
    event = Event.objects.get(type=types.LOYALTY_REWARD_REDEEMED)
    assert event.payload["by"].startswith("API token test")
    assert selectors.balance(programme, customer).available == 40
    # Another shop's token: its own customer c-9 exists there, shop A's reward does not.
    CustomerFactory(shop=shop_b.shop, external_id="c-9")
    other = api(shop_b.shop)
    assert (
        other.post(
            "/customers/c-9/goodwill-rewards", {"reward_id": reward.pk, "reason": "x"}
        ).status_code
        == 404
    )
