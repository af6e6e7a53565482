"""The public tracking page of a parcel: status, pickup point, deadline and what to do."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from aftersale.delivery.models import ShipmentStatus
from tests.factories import PickupPointFactory, ShipmentFactory, TrackingEventFactory

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def waiting(shop_a):
    point = PickupPointFactory(
        shop=shop_a.shop,
        name="K-Market Kamppi",
        street="Urho Kekkosen katu 1",
        opening_hours={"mon": [["08:00", "21:00"]], "sat": [["10:00", "18:00"]]},
        latitude=60.169,
        longitude=24.933,
    )
    shipment = ShipmentFactory(
        order__shop=shop_a.shop,
        order__number="12345",
        carrier="posti",
        status=ShipmentStatus.READY_FOR_PICKUP,
        pickup_point=point,
        held_until=NOW + timedelta(days=3, hours=5),
    )
    TrackingEventFactory(
        shipment=shipment,
        carrier_code="READY",
        status="ready_for_pickup",
        occurred_at=NOW - timedelta(hours=2),
        location="Helsinki",
    )
    TrackingEventFactory(
        shipment=shipment,
        carrier_code="XYZ-99",
        status="unknown",
        occurred_at=NOW - timedelta(hours=1),
    )
    return shipment


@time_machine.travel(NOW, tick=False)
def test_it_shows_the_pickup_point_deadline_and_help(client, waiting):
    html = client.get(f"/t/{waiting.tracking_token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your parcel from order 12345" in html
    assert "K-Market Kamppi" in html and "Urho Kekkosen katu 1" in html
    assert "openstreetmap.org/?mlat=60.169&amp;mlon=24.933" in html
    assert "Monday</dt><dd>08:00–21:00" in html
    assert "Sunday</dt><dd>closed" in html
    assert 'data-days-left="3"' in html
    assert "OmaPosti" in html
    assert "help@example.com" in html
    # An unknown carrier code is shown, not dropped.
    assert "Carrier event XYZ-99" in html
    assert "Aino" not in html  # nothing about the person


@time_machine.travel(NOW, tick=False)
def test_it_speaks_finnish_and_swedish(client, waiting):
    fi = client.get(f"/t/{waiting.tracking_token}/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Nouda paketti viimeistään" in fi
    sv = client.get(f"/t/{waiting.tracking_token}/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Hämta paketet senast" in sv


@time_machine.travel(NOW, tick=False)
def test_the_last_day_says_so(client, waiting):
    waiting.held_until = NOW + timedelta(hours=6)
    waiting.save()
    html = client.get(f"/t/{waiting.tracking_token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Today is the last day." in html


def test_a_wrong_or_guessed_link_is_404(client, waiting):
    assert client.get("/t/not-a-token/").status_code == 404
    assert client.get(f"/t/{waiting.tracking_token[:-1]}/").status_code == 404


def test_a_picked_up_parcel_shows_no_deadline(client, waiting):
    waiting.status = ShipmentStatus.PICKED_UP
    waiting.save()
    html = client.get(f"/t/{waiting.tracking_token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-days-left" not in html and "Can&#x27;t make it in time?" not in html
    assert 'data-status="picked_up"' in html


def test_carrier_events_are_told_in_the_pages_language(client, shop_a):
    """Measured: carrier event texts were shown as the carrier (or our table) wrote them."""
    shipment = ShipmentFactory(order__shop=shop_a.shop, carrier="posti", status="in_transit")
    TrackingEventFactory(
        shipment=shipment,
        carrier_code="31",
        status="in_transit",
        description="Lähetys on kuljetuksessa",  # as Posti's feed sent it
        occurred_at=NOW,
    )
    url = f"/t/{shipment.tracking_token}/"
    swedish = client.get(url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "På väg – Försändelsen är under transport" in swedish
    assert "Lähetys on kuljetuksessa" not in swedish
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "In transit – Item is in transport" in english
    finnish = client.get(url, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Kuljetuksessa – Lähetys on kuljetuksessa" in finnish


def test_the_carrier_is_named_as_people_write_it(client, shop_a):
    """The slug ("db_schenker") showed on back-office pages; the tracking page must not."""
    shipment = ShipmentFactory(order__shop=shop_a.shop, carrier="db_schenker")
    html = client.get(f"/t/{shipment.tracking_token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "DB Schenker" in html
    assert "db_schenker" not in html


def test_unknown_opening_hours_are_not_closed_every_day(client, waiting):
    """Measured: a point without known hours showed "closed" on every weekday."""
    point = waiting.pickup_point
    point.opening_hours = {}
    point.save()
    html = client.get(f"/t/{waiting.tracking_token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Only the pickup point's section: the page's footer says whether customer service is
    # open now, which after office hours is "closed" by the real clock.
    assert "closed" not in point_section(html).lower()
    assert "Not known here. Check the opening hours with the carrier (Posti) before you go." in html
    finnish = client.get(f"/t/{waiting.tracking_token}/", HTTP_ACCEPT_LANGUAGE="fi")
    assert "suljettu" not in point_section(finnish.content.decode()).lower()


def point_section(html: str) -> str:
    start = html.index('<section aria-labelledby="point-heading">')
    return html[start : html.index("</section>", start)]


def test_it_takes_two_queries_however_long_the_parcels_history(
    client, waiting, django_assert_num_queries
):
    for hour in range(3, 9):
        TrackingEventFactory(
            shipment=waiting, carrier_code=f"E{hour}", occurred_at=NOW - timedelta(hours=hour)
        )
    # The customer-service opening status is kept in the shared cache from the first view on.
    assert client.get(f"/t/{waiting.tracking_token}/").status_code == 200
    # The parcel with its shop, order and pickup point; then its events; the opening status from
    # the cache; the help articles about delivery.
    with django_assert_num_queries(4):
        assert client.get(f"/t/{waiting.tracking_token}/").status_code == 200
