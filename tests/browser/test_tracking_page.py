"""In a real Chromium on a phone: a customer opens the parcel's link, reads where to pick it
up and how long it waits, and switches the page to Swedish."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersale.delivery.models import ShipmentStatus
from tests.factories import PickupPointFactory, ShipmentFactory, TrackingEventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_follows_a_parcel_waiting_at_a_locker(live_server, browser, shop_a):
    point = PickupPointFactory(
        shop=shop_a.shop,
        name="Posti Pakettiautomaatti, K-Citymarket Rantakatu",
        kind="locker",
        street="Rantakatu 17",
        postcode="02130",
        city="Espoo",
        opening_hours={
            day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        },
    )
    shipment = ShipmentFactory(
        order__shop=shop_a.shop,
        order__number="153455",
        carrier="posti",
        pickup_point=point,
        status=ShipmentStatus.READY_FOR_PICKUP,
        held_until=timezone.now() + timedelta(days=5),
    )
    TrackingEventFactory(
        shipment=shipment,
        carrier_code="READY_FOR_PICKUP",
        status="ready_for_pickup",
        occurred_at=timezone.now(),
    )
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="fi-FI"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/t/{shipment.tracking_token}/")
    page.get_by_role("heading", name="Pakettisi tilauksesta 153455").wait_for()
    assert page.get_by_text("Pakettiautomaatti", exact=True).is_visible()
    assert page.get_by_text("Rantakatu 17").is_visible()
    assert page.locator("[data-days-left]").get_attribute("data-days-left") == "4"
    assert page.get_by_text("auki ympäri vuorokauden").first.is_visible()
    map_link = page.get_by_role("link", name="Näytä kartalla")
    assert "openstreetmap.org" in map_link.get_attribute("href")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_label("Kieli").select_option("sv")
    page.get_by_role("button", name="Vaihda kieli").click()
    page.get_by_role("heading", name="Ditt paket från beställning 153455").wait_for()
    assert page.get_by_text("Hinner du inte i tid?").is_visible()
    context.close()
