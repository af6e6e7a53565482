"""In a real Chromium, under the strict Content-Security-Policy: the back-office dashboard, the
portal, the tracking page and the API docs load, work, and violate nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ShipmentFactory
from tests.returns.fixtures import delivered_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation and console error it reports collected."""
    page.add_init_script(WATCH_VIOLATIONS)
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.problems = problems
    return page


def assert_clean(page) -> None:
    violations = page.evaluate("window.__violations")
    assert violations == [], violations
    csp = [text for text in page.problems if "Content Security Policy" in text]
    assert csp == [], csp


def test_the_pages_load_under_the_policy_with_no_violation(watched, live_server, shop_a, sign_in):
    page = watched
    order = delivered_order(shop_a.shop, email="aino@example.fi")
    shipment = ShipmentFactory(order=order, held_until=timezone.now() + timedelta(days=3))

    reply = page.goto(f"{live_server.url}/t/{shipment.tracking_token}/")
    assert "script-src 'self'" in reply.headers["content-security-policy"]
    assert reply.headers["x-robots-tag"].startswith("noindex")
    page.get_by_role("heading").first.wait_for()
    assert_clean(page)

    page.goto(f"{live_server.url}/s/{shop_a.shop.slug}/")
    lookup = page.locator("section", has=page.get_by_role("heading", name="Find your order"))
    lookup.get_by_label("Order number").fill(order.number)
    lookup.get_by_label("E-mail address").fill("aino@example.fi")
    lookup.get_by_role("button", name="Find order").click()
    page.wait_for_url(f"**/orders/{order.pk}/")
    assert_clean(page)

    sign_in(page, shop_a.owner)
    page.get_by_role("heading").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert_clean(page)

    page.goto(f"{live_server.url}/api/v1/docs")
    page.get_by_text("Aftersale API").first.wait_for()
    page.locator(".opblock").first.wait_for()
    assert_clean(page)
