"""In a real Chromium: a customer finds an order, returns an item with a photo, follows its
status, and cannot open another customer's order."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from aftersale.returns.models import ReturnRequest
from tests.returns.fixtures import DELIVERED_AT, delivered_order, photo, set_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(phone_page):
    """The customer is on a phone (the shared fixture in tests/browser/conftest.py)."""
    return phone_page


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _three_days_after_delivery():
    # tick=True keeps time moving so the browser and the server see a running clock.
    with time_machine.travel(DELIVERED_AT + timedelta(days=3), tick=True):
        yield


def assert_usable_on_a_phone(page):
    """Every form field has a label, and nothing makes the page scroll sideways."""
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter(el => el.type !== 'hidden')
            .filter(el => !el.labels.length && !el.getAttribute('aria-label'))
            .map(el => el.name)"""
    )
    assert unlabelled == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_customer_returns_an_item_with_a_photo_and_follows_it(
    live_server, page, shop_a, tmp_path
):
    set_policy(shop_a.shop, drop_off_fee_cents=0)
    order = delivered_order(shop_a.shop, email="aino@example.fi")
    other = delivered_order(shop_a.shop, email="eero@example.fi")
    line = order.lines.order_by("id").first()
    picture = tmp_path / "torn-seam.png"
    picture.write_bytes(photo().read())

    page.goto(f"{live_server.url}/s/pohjola/")
    assert_usable_on_a_phone(page)
    page.get_by_label("Order number").fill(order.number)
    page.get_by_label("E-mail address").first.fill("Aino@Example.fi")
    page.get_by_role("button", name="Find order").click()
    page.get_by_role("heading", name=f"Order {order.number}").wait_for()
    assert page.locator(f"[data-line='{line.pk}']").get_by_text("Returnable").is_visible()

    assert_usable_on_a_phone(page)
    page.get_by_role("link", name="Return items or report a problem").click()
    assert_usable_on_a_phone(page)
    fieldset = page.get_by_role("group", name="Merino shirt M")
    fieldset.get_by_label("Return this item").check()
    fieldset.get_by_label("Reason").select_option("too_small")
    fieldset.get_by_label("Comment (optional)").fill("Tight at the shoulders")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Before you send it back").wait_for()
    assert_usable_on_a_phone(page)
    assert page.get_by_text("Runs small: take one size up.").is_visible()
    page.get_by_label("Photos (optional)").set_input_files(str(picture))
    page.get_by_label("Refund to my original payment method").check()
    page.get_by_role("button", name="Register the return").click()

    returned = ReturnRequest.objects.for_shop(shop_a.shop).get()
    page.get_by_role("heading", name=f"Return {returned.code}").wait_for()
    assert_usable_on_a_phone(page)
    assert page.locator(".return-state").get_by_text("Approved").is_visible()
    assert page.locator(".return-timeline").get_by_text("Requested").is_visible()
    assert page.get_by_role("img", name=f"QR code for return code {returned.code}").is_visible()
    photo_box = page.get_by_role("img", name="Photo 1").bounding_box()
    assert photo_box and photo_box["width"] > 0  # the photo loads for its owner
    assert returned.lines.get().photos.count() == 1

    response = page.goto(f"{live_server.url}/s/pohjola/orders/{other.pk}/")
    assert response.status == 404
    assert other.number not in page.content()


def test_a_wrong_file_type_gets_a_clear_error(live_server, page, shop_a, tmp_path):
    order = delivered_order(shop_a.shop, email="aino@example.fi")
    document = tmp_path / "receipt.txt"
    document.write_text("not a photo")

    page.goto(f"{live_server.url}/s/pohjola/")
    page.get_by_label("Order number").fill(order.number)
    page.get_by_label("E-mail address").first.fill("aino@example.fi")
    page.get_by_role("button", name="Find order").click()
    page.get_by_role("link", name="Return items or report a problem").click()
    fieldset = page.get_by_role("group", name="Merino shirt M")
    fieldset.get_by_label("Return this item").check()
    fieldset.get_by_label("Reason").select_option("arrived_damaged")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Photos of the problem (required)").set_input_files(str(document))
    page.get_by_role("button", name="Send the complaint").click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "receipt.txt is not a photo we can accept" in alert.inner_text()
    assert not ReturnRequest.objects.exists()
