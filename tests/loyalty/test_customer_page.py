"""The back-office customer page lists the customer's reward codes and referrals, each paged
on its own, and never another shop's."""

from __future__ import annotations

from aftersale.loyalty import referrals, rewards
from tests.factories import CustomerFactory
from tests.loyalty.rewards_helpers import pool_reward


def test_the_customer_page_lists_reward_codes_and_referrals_paged(login, shop_a, programme):
    customer = CustomerFactory(shop=programme, email="aino@example.fi")
    reward = pool_reward(programme, codes=[f"CODE-{n:02}" for n in range(12)])
    for n in range(12):
        rewards.give_reward(programme, customer, reward, reason=f"sorry {n}")
    code = referrals.referral_code_for(programme, customer).code
    referrals.claim_referral(programme, code, email="friend@example.fi", ip="")
    client = login(shop_a.staff)

    html = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "data-reward-codes" in html and "data-referrals" in html
    assert 'data-code="CODE-11"' in html and 'data-code="CODE-00"' not in html  # newest first
    assert "sorry 11" in html
    assert "?codes=2" in html
    assert "Referred a friend (no order yet)" in html
    older = client.get(f"/customers/{customer.pk}/?codes=2").content.decode()
    assert 'data-code="CODE-00"' in older and 'data-code="CODE-11"' not in older


def test_another_shops_codes_and_referrals_stay_out(login, shop_a, shop_b, programme):
    from aftersale.loyalty import services

    services.save_programme(shop_b.shop, enabled=True)
    mine = CustomerFactory(shop=programme)
    theirs = CustomerFactory(shop=shop_b.shop)
    their_reward = pool_reward(shop_b.shop, codes=["B-CODE"])
    rewards.give_reward(shop_b.shop, theirs, their_reward, reason="theirs")
    code = referrals.referral_code_for(shop_b.shop, theirs).code
    referrals.claim_referral(shop_b.shop, code, email="someone@example.fi", ip="")
    client = login(shop_a.staff)
    html = client.get(f"/customers/{mine.pk}/").content.decode()
    assert "B-CODE" not in html and "No reward codes." in html and "No referrals." in html
    assert client.get(f"/customers/{theirs.pk}/").status_code == 404
