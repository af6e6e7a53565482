"""The loyalty page's rewards and referral blocks, and a referral link's landing page, in a real
Chromium on a 390 px phone in Finnish, Swedish and English: a member redeems a reward and copies
their link; a friend opens it and gets the welcome code. Nothing is wider than the phone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from aftersale.loyalty import referrals
from aftersale.loyalty.reward_models import Redemption
from tests.factories import OrderFactory
from tests.loyalty.rewards_helpers import pool_reward, running_programme, with_points

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "fi": ("Palkinnot", "Kutsu ystävä", "Lunasta 500 pisteellä", "Hae lahjani"),
    "sv": ("Belöningar", "Bjud in en vän", "Lös in för 500 poäng", "Hämta min gåva"),
    "en": ("Rewards", "Invite a friend", "Redeem for 500 points", "Get my gift"),
}


def fits(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.fixture
def member(shop_a):
    shop = running_programme(shop_a.shop)
    order = OrderFactory(shop=shop, number="10042", customer__email="aino@example.fi")
    with_points(shop, order.customer, 1200)
    pool_reward(shop, name="Lahjakortti 5 €", codes=[f"LAHJA-{n:03}" for n in range(5)])
    pool_reward(
        shop,
        name="Tervetuloa 5 €",
        for_referred_friends=True,
        points_cost=0,  # only for friends: not in the members' catalogue
        codes=["HELLO-1", "HELLO-2"],
    )
    return order


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_member_redeems_and_shares_on_a_phone(
    phone_page, live_server, member, screenshot, language
):
    page = phone_page
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/s/pohjola/")
    page.locator("#lookup-number").fill(member.number)
    page.locator("#lookup-email").fill(member.customer.email)
    page.locator("#lookup-number").press("Enter")
    page.wait_for_url("**/orders/*/")
    page.goto(f"{live_server.url}/s/pohjola/loyalty/")

    rewards_title, invite, redeem, claim = WORDS[language]
    assert page.locator("#rewards-title").inner_text() == rewards_title
    assert page.locator("#referral-title").inner_text() == invite
    link = page.locator("#referral-link").input_value()
    code = referrals.referral_code_for(member.shop, member.customer).code
    assert link.endswith(f"/s/pohjola/r/{code}/")
    assert (
        page.get_by_role("link", name="WhatsApp")
        .get_attribute("href")
        .startswith("https://wa.me/?text=")
    )
    assert fits(page)
    screenshot(page, f"loyalty-rewards-{language}")

    page.get_by_role("button", name=redeem).click()
    page.wait_for_url("**/loyalty/#rewards")
    redemption = Redemption.objects.get()
    assert page.locator(".reward-code").first.inner_text() == redemption.code
    assert fits(page)

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("[data-copy=referral-link]").click()
    page.locator("#referral-link-status:not(:empty)").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link

    friend = page.context.browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="en-GB"
    )
    friend.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    friend_page = friend.new_page()
    friend_page.set_default_timeout(60_000)
    friend_page.goto(live_server.url + urlsplit(link).path)
    friend_page.locator("#id_email").fill("friend@example.fi")
    friend_page.get_by_role("button", name=claim).click()
    friend_page.locator("[data-welcome-code]").wait_for()
    assert friend_page.locator("[data-welcome-code]").inner_text() == "HELLO-1"
    assert fits(friend_page)
    screenshot(friend_page, f"referral-landing-{language}")
    friend.close()
