"""The back-office's rewards, code pools, redeemed codes and referral review queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersale.loyalty import referrals, rewards, selectors, services
from aftersale.loyalty.orders_seen import read_new_orders
from aftersale.loyalty.referral_models import Referral
from aftersale.loyalty.reward_models import Redemption, Reward, RewardCode
from aftersale.orders.payloads import OrderIn
from aftersale.orders.services import upsert_order
from tests.factories import CustomerFactory
from tests.loyalty.rewards_helpers import START, pool_reward, running_programme, with_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(shop_a):
    return running_programme(shop_a.shop)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_an_owner_adds_a_reward_and_sees_its_mistakes_named(login, programme):
    client = login(programme.memberships.get(role="owner").user)
    url = reverse("backoffice:reward_new")
    bad = client.post(
        url,
        {
            "name": "10 %",
            "kind": "percentage",
            "percent": "0",
            "points_cost": "100",
            "code_source": "pool",
            "cancel_days": "14",
        },
    )
    assert bad.status_code == 200
    assert "A percentage discount is from 1 to 100 %." in bad.content.decode()
    assert not Reward.objects.exists()

    good = client.post(
        url,
        {
            "name": "10 %",
            "kind": "percentage",
            "percent": "10",
            "points_cost": "100",
            "code_source": "pool",
            "cancel_days": "14",
            "active": "on",
            "minimum_order": "30",
        },
    )
    reward = Reward.objects.get()
    assert good.status_code == 302 and (reward.percent, reward.minimum_order_cents) == (10, 3000)


def test_staff_may_look_but_not_change_rewards(login, shop_a, programme):
    reward = pool_reward(programme)
    client = login(shop_a.staff)
    assert client.get(reverse("backoffice:reward_detail", args=[reward.pk])).status_code == 200
    assert client.get(reverse("backoffice:reward_edit", args=[reward.pk])).status_code == 403
    upload = SimpleUploadedFile("codes.csv", b"code\nNEW-001\n")
    response = client.post(reverse("backoffice:reward_detail", args=[reward.pk]), {"file": upload})
    assert response.status_code == 403
    assert not RewardCode.objects.filter(code="NEW-001").exists()


def test_a_code_file_with_errors_is_reported_by_line(login, shop_a, programme):
    reward = pool_reward(programme, codes=())
    url = reverse("backoffice:reward_detail", args=[reward.pk])
    upload = SimpleUploadedFile("codes.csv", b"code\nGOOD-001\nno good\nGOOD-001\n")
    page = login(shop_a.owner).post(url, {"file": upload}).content.decode()
    assert "No code was added" in page
    assert "<td>3</td>" in page and "<td>4</td>" in page
    assert not RewardCode.objects.exists()
    upload = SimpleUploadedFile("codes.csv", b"code\nGOOD-001\nGOOD-002\n")
    assert login(shop_a.owner).post(url, {"file": upload}).status_code == 302
    assert RewardCode.objects.count() == 2


def test_staff_cancel_a_code_with_a_reason_and_the_points_return(login, shop_a, programme):
    customer = with_points(programme, CustomerFactory(shop=programme), 500)
    redemption = rewards.redeem_reward(programme, customer, pool_reward(programme), channel="api")
    url = reverse("backoffice:redemption_cancel", args=[redemption.pk])
    client = login(shop_a.staff)
    client.post(url, {"reason": ""})
    redemption.refresh_from_db()
    assert redemption.state == Redemption.State.RESERVED
    client.post(url, {"reason": "Wrong reward"})
    redemption.refresh_from_db()
    assert redemption.state == Redemption.State.CANCELLED
    assert selectors.balance(programme, customer).available == 500


def test_the_review_queue_shows_the_reasons_and_takes_decisions(login, shop_a, programme, clock):
    advocate = CustomerFactory(shop=programme, email="aino@gmail.com")
    code = referrals.referral_code_for(programme, advocate).code
    referrals.claim_referral(programme, code, email="a.ino+x@gmail.com", ip="")
    upsert_order(
        programme,
        OrderIn.model_validate(
            {
                "external_id": "friend-1",
                "placed_at": (START + timedelta(hours=1)).isoformat(),
                "customer": {"external_id": "friend", "email": "a.ino+x@gmail.com"},
            }
        ),
    )
    clock.shift(timedelta(minutes=1))
    read_new_orders()
    referral = Referral.objects.get(state="review")

    page = login(shop_a.staff).get(reverse("backoffice:referrals")).content.decode()
    assert "The friend&#x27;s e-mail is the advocate&#x27;s with dots or a +tag added." in page
    decide = reverse("backoffice:referral_decide", args=[referral.pk])
    login(shop_a.staff).post(decide, {"decision": "reject", "note": ""})
    referral.refresh_from_db()
    assert referral.state == "review"  # a rejection needs a note
    login(shop_a.staff).post(decide, {"decision": "reject", "note": "Same person"})
    referral.refresh_from_db()
    assert (referral.state, referral.review_note) == ("rejected", "Same person")


def test_another_shops_codes_and_referrals_cannot_be_acted_on(login, shop_a, shop_b, programme):
    services.save_programme(shop_b.shop, enabled=True)
    customer = with_points(shop_b.shop, CustomerFactory(shop=shop_b.shop), 500)
    redemption = rewards.redeem_reward(
        shop_b.shop, customer, pool_reward(shop_b.shop), channel="api"
    )
    advocate = CustomerFactory(shop=shop_b.shop)
    referral = Referral.objects.create(
        shop=shop_b.shop, advocate=advocate, code="X", state="review", friend_email_digest="d"
    )
    client = login(shop_a.owner)
    cancel = reverse("backoffice:redemption_cancel", args=[redemption.pk])
    assert client.post(cancel, {"reason": "x"}).status_code == 404
    decide = reverse("backoffice:referral_decide", args=[referral.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 404
    edit = reverse("backoffice:reward_edit", args=[redemption.reward_id])
    assert client.get(edit).status_code == 404
    redemption.refresh_from_db()
    referral.refresh_from_db()
    assert (redemption.state, referral.state) == ("reserved", "review")
    pages = [reverse("backoffice:redemptions"), reverse("backoffice:referrals")]
    for page in pages:
        assert redemption.code not in client.get(page).content.decode()


def test_the_lists_read_a_page_in_a_fixed_number_of_queries(
    login, shop_a, programme, django_assert_max_num_queries
):
    for n in range(30):
        customer = with_points(programme, CustomerFactory(shop=programme), 500)
        reward = pool_reward(programme, name=f"R{n}", codes=[f"C-{n:03}"])
        rewards.redeem_reward(programme, customer, reward, channel="api")
        Referral.objects.create(
            shop=programme,
            advocate=customer,
            code=f"K{n}",
            state="review",
            friend_email_digest=f"d{n}",
            reasons=["busy_ip"],
        )
    client = login(shop_a.staff)
    for name in ("backoffice:rewards", "backoffice:redemptions", "backoffice:referrals"):
        with django_assert_max_num_queries(20):
            assert client.get(reverse(name)).status_code == 200
