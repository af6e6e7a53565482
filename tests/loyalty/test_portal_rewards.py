"""The portal: rewards to redeem and codes to give back on the loyalty page, the member's
referral link with share buttons, and a referral link's landing page for the friend."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from aftersale.loyalty import referrals, rewards, selectors, services
from aftersale.loyalty.referral_models import Referral
from aftersale.loyalty.reward_models import Redemption
from tests.factories import CustomerFactory, OrderFactory
from tests.loyalty.rewards_helpers import pool_reward, with_points


@pytest.fixture
def member(programme):
    order = OrderFactory(shop=programme, customer__email="aino@example.fi", number="A-1")
    with_points(programme, order.customer, 800)
    return order


def page(client, shop="pohjola"):
    with translation.override("en"):
        return client.get(f"/s/{shop}/loyalty/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_page_offers_the_rewards_and_the_referral_link(member, signed_in):
    cheap = pool_reward(member.shop, name="5 € off")
    dear = pool_reward(member.shop, name="Big one", points_cost=5000, codes=("BIG-1",))
    html = page(signed_in(member))
    assert f'data-reward="{cheap.pk}"' in html and f'data-reward="{dear.pk}"' in html
    assert "Redeem for 5000 points" in html and 'disabled aria-disabled="true"' in html
    code = referrals.referral_code_for(member.shop, member.customer).code
    assert f"/s/pohjola/r/{code}/" in html
    assert "mailto:?subject=Pohjola%20Style&amp;body=" in html
    assert "https://wa.me/?text=" in html
    assert 'data-copy="referral-link"' in html
    assert "<script src=" in html and "http" not in html.split("copy-link.js")[0][-60:]


def test_a_member_redeems_and_gives_a_code_back(member, signed_in):
    reward = pool_reward(member.shop)
    client = signed_in(member)
    response = client.post(f"/s/pohjola/loyalty/rewards/{reward.pk}/redeem/")
    assert response.status_code == 302 and response["Location"].endswith("/loyalty/#rewards")
    redemption = Redemption.objects.get()
    assert selectors.balance(member.shop, member.customer).available == 300
    html = page(client)
    assert "CODE-001" in html and "Give back for 500 points" in html

    client.post(f"/s/pohjola/loyalty/codes/{redemption.pk}/give-back/")
    redemption.refresh_from_db()
    assert redemption.state == Redemption.State.CANCELLED
    assert selectors.balance(member.shop, member.customer).available == 800


def test_a_member_short_of_points_is_told_and_nothing_is_spent(member, signed_in):
    reward = pool_reward(member.shop, points_cost=900)
    client = signed_in(member)
    client.post(f"/s/pohjola/loyalty/rewards/{reward.pk}/redeem/")
    assert "This reward costs 900 points; you have 800." in page(client)
    assert not Redemption.objects.exists()


def test_nobody_redeems_without_signing_in_or_in_another_shop(member, signed_in, shop_b):
    services.save_programme(shop_b.shop, enabled=True)
    theirs = pool_reward(shop_b.shop)
    other = with_points(shop_b.shop, CustomerFactory(shop=shop_b.shop), 900)
    their_code = rewards.redeem_reward(shop_b.shop, other, theirs, channel="api")
    ours = pool_reward(member.shop, codes=("OURS-1",))

    anonymous = Client().post(f"/s/pohjola/loyalty/rewards/{ours.pk}/redeem/")
    assert anonymous.status_code == 302 and anonymous["Location"] == "/s/pohjola/"
    client = signed_in(member)
    assert client.post(f"/s/pohjola/loyalty/rewards/{theirs.pk}/redeem/").status_code == 404
    give_back = f"/s/pohjola/loyalty/codes/{their_code.pk}/give-back/"
    assert client.post(give_back).status_code == 404
    assert client.post(f"/s/saaristo/loyalty/codes/{their_code.pk}/give-back/").status_code == 302
    their_code.refresh_from_db()
    assert their_code.state == Redemption.State.RESERVED
    assert Redemption.objects.count() == 1


def test_a_friend_claims_the_welcome_gift_on_the_landing_page(member):
    pool_reward(member.shop, name="Welcome 5 €", for_referred_friends=True, codes=("HELLO-1",))
    code = referrals.referral_code_for(member.shop, member.customer).code
    url = f"/s/pohjola/r/{code}/"
    client = Client()
    with translation.override("en"):
        assert "A friend invites you" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        own = client.post(url, {"email": "Aino@example.fi"}, HTTP_ACCEPT_LANGUAGE="en")
        bad = client.post(url, {"email": "not an address"}, HTTP_ACCEPT_LANGUAGE="en")
        good = client.post(url, {"email": "friend@example.fi"}, HTTP_ACCEPT_LANGUAGE="en")
    assert own.status_code == 409 and "This is your own referral link" in own.content.decode()
    assert bad.status_code == 400
    assert good.status_code == 200
    assert "<code data-welcome-code>HELLO-1</code>" in good.content.decode()
    assert Referral.objects.get().advocate == member.customer


def test_an_unknown_or_foreign_code_is_refused(member, shop_b):
    services.save_programme(shop_b.shop, enabled=True)
    code = referrals.referral_code_for(member.shop, member.customer).code
    for url in ("/s/pohjola/r/NOSUCH00/", f"/s/saaristo/r/{code}/"):
        response = Client().post(url, {"email": "friend@example.fi"})
        assert response.status_code == 409
    assert not Referral.objects.exists()


def test_claims_from_one_network_address_are_limited(member, monkeypatch):
    from aftersale.portal import rewards as portal_rewards

    monkeypatch.setattr(portal_rewards, "CLAIMS_PER_ADDRESS", 2)
    code = referrals.referral_code_for(member.shop, member.customer).code
    client = Client()
    answers = [
        client.post(f"/s/pohjola/r/{code}/", {"email": f"f{n}@example.fi"}).status_code
        for n in range(3)
    ]
    assert answers == [200, 200, 429]
    assert Referral.objects.count() == 2
