"""An owner creates an API token, the shop's system uses it, the owner sees it used and
revokes it; the page works on a phone."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.api.samples import order_payload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def post_order(base_url: str, token: str) -> int:
    request = urllib.request.Request(
        f"{base_url}/api/v1/orders",
        data=json.dumps(order_payload()).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_owner_creates_uses_and_revokes_a_token(page, live_server, sign_in, shop_a, screenshot):
    sign_in(page, shop_a.owner)
    page.get_by_role("link", name="Integrations").click()
    page.get_by_label("Name").fill("Web shop")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("New token").input_value()
    assert token.startswith("as_")

    assert post_order(live_server.url, token) == 201
    page.goto(f"{live_server.url}/integrations/")
    assert page.get_by_label("New token").count() == 0, "the token is shown only once"
    row = page.locator("tbody tr", has_text="Web shop")
    assert "Never" not in row.inner_text(), "the last use is shown"
    screenshot(page, "integrations-desktop")

    page.get_by_role("button", name="Revoke Web shop").click()
    expect(page.locator("tbody tr", has_text="Web shop")).to_contain_text("Revoked")
    assert post_order(live_server.url, token) == 401


def test_the_integrations_page_fits_a_phone(phone_page, live_server, sign_in, shop_a, screenshot):
    sign_in(phone_page, shop_a.owner)
    phone_page.goto(f"{live_server.url}/integrations/")
    phone_page.get_by_label("Name").fill("ERP")
    phone_page.get_by_role("button", name="Create token").click()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= phone_page.viewport_size["width"]
    screenshot(phone_page, "integrations-phone")
