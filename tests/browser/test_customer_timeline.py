"""A merchant signs in, finds a customer and reads their timeline, in English and Finnish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from aftersale.timeline import types
from aftersale.timeline.services import record_event
from tests.factories import CustomerFactory, OrderFactory, ReturnRequestFactory, ShipmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def customer(shop_a):
    shop = shop_a.shop
    aino = CustomerFactory(
        shop=shop, first_name="Aino", last_name="Virtanen", email="aino.virtanen@example.fi"
    )
    for last_name in ("Korhonen", "Nieminen", "Mäkinen"):
        CustomerFactory(shop=shop, first_name="Eero", last_name=last_name)
    order = OrderFactory(shop=shop, customer=aino, number="20001", placed_at=T0)
    shipment = ShipmentFactory(order=order, tracking_number="JJFI6400000001")
    return_request = ReturnRequestFactory(order=order)
    for event_type, subject, days in [
        (types.SHIPMENT_PICKED_UP, shipment, 4),
        (types.ORDER_PLACED, order, 0),
        (types.SHIPMENT_SHIPPED, shipment, 1),
        (types.RETURN_REQUESTED, return_request, 6),
        (types.SHIPMENT_READY_FOR_PICKUP, shipment, 2),
    ]:
        record_event(
            shop, event_type, subject=subject, customer=aino, occurred_at=T0 + timedelta(days=days)
        )
    return aino


def test_it_finds_a_customer_and_reads_the_timeline(
    page, live_server, sign_in, shop_a, customer, screenshot
):
    sign_in(page, shop_a.staff)
    page.get_by_role("link", name="Customers").click()
    page.get_by_label("Search customers").fill("virtanen")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Aino Virtanen").click()

    expect(page.get_by_role("heading", name="Aino Virtanen")).to_be_visible()
    events = page.locator("ol.timeline li .event-text")
    assert events.all_inner_texts() == [
        "Order placed",
        "Parcel shipped",
        "Parcel ready for pickup",
        "Parcel picked up",
        "Return registered",
    ]
    screenshot(page, "customer-timeline-desktop-en")

    page.get_by_label("Language").select_option("fi")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_selector("html[lang=fi]")
    assert page.get_by_role("heading", name="Aikajana").is_visible()
    assert page.get_by_role("navigation").get_by_role("link", name="Asiakkaat").is_visible()
    assert events.all_inner_texts()[0] == "Tilaus tehty"
    screenshot(page, "customer-timeline-desktop-fi")


def test_it_fits_a_phone_screen(phone_page, live_server, sign_in, shop_a, customer, screenshot):
    sign_in(phone_page, shop_a.staff)
    phone_page.goto(f"{live_server.url}/customers/{customer.pk}/")
    assert phone_page.locator("ol.timeline li").count() == 5
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the phone's screen"
    screenshot(phone_page, "customer-timeline-phone")
    phone_page.get_by_role("link", name="#20001").first.click()
    expect(phone_page.get_by_role("heading", name="Order #20001")).to_be_visible()
    screenshot(phone_page, "order-phone")
    phone_page.goto(f"{live_server.url}/")
    screenshot(phone_page, "dashboard-phone")
