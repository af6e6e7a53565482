"""In a real Chromium, in Finnish, Swedish and English: a customer who is not signed in opens
the shop's withdrawal address, finds the order, chooses an item, confirms, and sees the exact
time the notice was received."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
import time_machine

from aftersale.returns.models import Withdrawal
from tests.withdrawals.fixtures import delivered_order, helsinki

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = {
    "fi": {
        "locale": "fi-FI",
        "heading": "Peru sopimus tästä",
        "number": "Tilausnumero",
        "email": "Sähköpostiosoite",
        "find": "Etsi tilaus",
        "continue": "Jatka",
        "confirm": "Vahvista peruminen",
        "done": "Perumisesi on vastaanotettu",
    },
    "sv": {
        "locale": "sv-FI",
        "heading": "Frånträd avtalet här",
        "number": "Ordernummer",
        "email": "E-postadress",
        "find": "Hitta beställningen",
        "continue": "Fortsätt",
        "confirm": "Bekräfta frånträdet",
        "done": "Ditt frånträde har tagits emot",
    },
    "en": {
        "locale": "en-GB",
        "heading": "Withdraw from contract here",
        "number": "Order number",
        "email": "E-mail address",
        "find": "Find order",
        "continue": "Continue",
        "confirm": "Confirm withdrawal",
        "done": "Your withdrawal has been received",
    },
}


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _five_days_after_delivery():
    with time_machine.travel(helsinki(2026, 11, 10, 9, 15), tick=True):
        yield


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_customer_withdraws_through_the_shops_stable_address(
    browser, live_server, shop_a, screenshot, language
):
    words = LANGUAGES[language]
    order = delivered_order(shop_a.shop, email="aino@example.fi", lines=2)
    socks = order.lines.order_by("id").last()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale=words["locale"], is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/s/pohjola/withdraw/")
        page.get_by_role("heading", name=words["heading"], level=1).wait_for()
        page.get_by_label(words["number"]).fill(order.number)
        page.get_by_label(words["email"]).fill("Aino@Example.fi")
        page.get_by_role("button", name=words["find"]).click()

        page.get_by_role("heading", name=words["heading"], level=1).wait_for()
        shirt = page.get_by_label("1 × Merino shirt M")
        assert shirt.is_checked()
        shirt.uncheck()  # only the socks
        page.get_by_role("button", name=words["continue"]).click()

        page.get_by_role("button", name=words["confirm"]).click()
        page.get_by_role("heading", name=words["done"]).wait_for()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, f"withdrawal-{language}")

        withdrawal = Withdrawal.objects.get()
        assert list(withdrawal.lines.values_list("order_line_id", flat=True)) == [socks.pk]
        assert withdrawal.language == language
        notified = page.locator("[data-notified]").inner_text()
        local = withdrawal.notified_at.astimezone(ZoneInfo("Europe/Helsinki"))
        assert local.strftime("%H:%M:%S") in notified
    finally:
        context.close()
