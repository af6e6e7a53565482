"""The customer's loyalty page in a real Chromium, in Finnish, Swedish and English: from the
order list to points, pending points with their dates, the tier and the history; on a phone
it fits the screen."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from aftersale.loyalty import services
from aftersale.loyalty.models import Tier
from tests.factories import CustomerFactory, OrderFactory, ShopFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fi": ("Kanta-asiakaspisteesi", "Käytettävissä", "120 pistettä 20. marraskuuta 2026", "Tasosi"),
    "sv": ("Dina stamkundspoäng", "Tillgängliga", "120 poäng den 20 november 2026", "Din nivå"),
    "en": ("Your loyalty points", "Available", "120 points on 20 November 2026", "Your tier"),
}


@pytest.fixture
def member(transactional_db):
    shop = ShopFactory(name="Pohjola Style", slug="pohjola")
    services.save_programme(shop, enabled=True, starts_at=datetime(2026, 1, 1, tzinfo=UTC))
    Tier.objects.create(shop=shop, name="Silver", threshold=20000, free_returns=True)
    customer = CustomerFactory(shop=shop, email="aino@example.fi")
    order = OrderFactory(shop=shop, customer=customer, number="10042")
    entry = services.earn(
        shop,
        customer,
        points=80,
        source_type="order_line",
        source_id=1,
        rule=None,
        order=order,
        vests_on=timezone.localdate() - timedelta(days=1),
    )
    services.vest(shop, entry)
    services.earn(
        shop,
        customer,
        points=120,
        source_type="order_line",
        source_id=2,
        rule=None,
        order=order,
        vests_on=date(2026, 11, 20),
    )
    return order


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_customer_finds_their_points_in_their_language(
    browser, live_server, member, language, screenshot
):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(60_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/s/pohjola/")
    page.locator("#lookup-number").fill("10042")
    page.locator("#lookup-email").fill("aino@example.fi")
    page.locator("#lookup-number").press("Enter")
    page.wait_for_url("**/orders/*/")
    page.goto(f"{live_server.url}/s/pohjola/")
    heading, available, vesting, tier = TEXTS[language]
    page.get_by_role("link", name=heading).click()
    page.wait_for_url("**/s/pohjola/loyalty/")
    assert page.locator("h1").inner_text() == heading
    assert page.locator("[data-points=available]").inner_text() == "80"
    assert page.locator("[data-points=pending]").inner_text() == "120"
    assert available in page.locator(".loyalty-balance").inner_text()
    assert vesting in page.locator("[data-vesting]").inner_text()
    assert tier in page.locator("[data-tier]").inner_text()
    assert page.locator("[data-history] li").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"loyalty-portal-{language}")
    context.close()
