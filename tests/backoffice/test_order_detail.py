"""An order's page: facts, lines, payments, refunds, shipments with tracking, returns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import (
    OrderFactory,
    OrderLineFactory,
    PaymentFactory,
    PickupPointFactory,
    RefundFactory,
    ReturnLineFactory,
    ReturnRequestFactory,
    ShipmentFactory,
    TrackingEventFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(shop_a):
    shop = shop_a.shop
    point = PickupPointFactory(shop=shop, name="K-Market Kamppi")
    order = OrderFactory(
        shop=shop,
        number="40001",
        placed_at=datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
        customer__first_name="Aino",
        customer__last_name="Virtanen",
        subtotal_cents=123_450,
        shipping_cents=590,
        total_cents=124_040,
        vat_cents=25_206,
        payment_method="mobile",
        delivery_method="pickup_point",
        pickup_point=point,
        ship_street="Hämeenkatu 12",
        ship_postcode="33100",
        ship_city="Tampere",
        address_check={
            "ok": False,
            "problems": [
                {
                    "code": "flat_number_missing",
                    "field": "street",
                    "severity": "warning",
                    "message": "Puuttuuko asunnon numero?",
                    "params": {"city": "Tampere", "street": "Hämeenkatu 12"},
                }
            ],
        },
    )
    line = OrderLineFactory(
        order=order,
        sku="TEE-M-BLK",
        name="T-shirt",
        quantity=2,
        unit_price_cents=2_495,
        total_cents=4_990,
    )
    PaymentFactory(order=order, method="mobile", amount_cents=124_040)
    RefundFactory(order=order, amount_cents=2_495, reason="Too small")
    shipment = ShipmentFactory(
        order=order,
        tracking_number="JJFI999",
        status="ready_for_pickup",
        pickup_point=point,
        held_until=datetime(2026, 11, 10, 21, 59, tzinfo=UTC),
    )
    TrackingEventFactory(
        shipment=shipment,
        status="ready_for_pickup",
        carrier_code="READY",
        occurred_at=datetime(2026, 11, 3, 12, 0, tzinfo=UTC),
        location="Hervanta terminal",
    )
    TrackingEventFactory(
        shipment=shipment,
        status="shipped",
        carrier_code="SHIPPED",
        occurred_at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
    )
    return_request = ReturnRequestFactory(order=order, code="RQWE234567", state="approved")
    ReturnLineFactory(return_request=return_request, order_line=line, reason="too_small")
    return order


def test_it_shows_the_order_facts_as_money_and_local_time(login, shop_a, order):
    html = (
        login(shop_a.staff)
        .get(reverse("backoffice:order_detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "Order #40001" in html
    assert "2 Nov 2026, 12:00" in html  # 10:00 UTC in Helsinki
    customer_url = reverse("backoffice:customer_detail", args=[order.customer_id])
    assert f'<a href="{customer_url}">Aino Virtanen</a>' in html
    assert 'data-fact="total"><strong>€1,240.40</strong>' in html
    assert 'data-fact="vat">€252.06<' in html
    assert "Mobile payment" in html
    assert "K-Market Kamppi" in html
    assert "Hämeenkatu 12" in html
    # The stored check is shown again in the reader's language.
    assert "Missing flat number? In Tampere most addresses are in blocks of flats" in html


def test_it_shows_lines_payments_refunds_shipments_and_returns(login, shop_a, order):
    html = (
        login(shop_a.staff)
        .get(reverse("backoffice:order_detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "TEE-M-BLK" in html
    assert "€24.95" in html and "€49.90" in html
    assert "Too small" in html
    assert "JJFI999" in html
    assert "Ready for pickup" in html
    # Held until 21:59 UTC on 10 Nov is 23:59 in Helsinki.
    assert 'data-fact="held-until">10 Nov 2026, 23:59<' in html
    assert html.index("Shipped") < html.index("Hervanta terminal")  # tracking events in time order
    assert "RQWE234567" in html and "Approved" in html


def test_it_still_warns_when_a_stored_address_check_cannot_be_read(login, shop_a):
    odd = OrderFactory(shop=shop_a.shop, address_check={"ok": False, "problems": [{}]})
    html = login(shop_a.staff).get(
        reverse("backoffice:order_detail", args=[odd.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Please check the address" in html.content.decode()


def test_it_leaves_out_the_address_check_when_there_was_none(login, shop_a):
    plain = OrderFactory(shop=shop_a.shop)
    html = login(shop_a.staff).get(reverse("backoffice:order_detail", args=[plain.pk]))
    assert 'data-fact="address-check"' not in html.content.decode()


def test_it_reads_in_finnish(login, shop_a, order):
    client = login(shop_a.staff)
    client.cookies.load({"django_language": "fi"})
    html = client.get(reverse("backoffice:order_detail", args=[order.pk])).content.decode()
    assert 'data-fact="total"><strong>1\xa0240,40\xa0€</strong>' in html
    assert "Tilaus #40001" in html


def test_it_runs_a_fixed_number_of_queries(login, shop_a, order, django_assert_max_num_queries):
    client = login(shop_a.staff)
    with django_assert_max_num_queries(14):
        client.get(reverse("backoffice:order_detail", args=[order.pk]))


def test_carriers_and_their_events_are_in_the_readers_words(login, shop_a):
    """Measured: carrier slugs ("db_schenker", "(posti)") and raw carrier texts were shown."""
    order = OrderFactory(shop=shop_a.shop, carrier="db_schenker")
    shipment = ShipmentFactory(order=order, carrier="db_schenker", tracking_number="DBS1")
    TrackingEventFactory(
        shipment=shipment,
        carrier_code="OFD",
        status="in_transit",
        description="Zustellung heute",
        occurred_at=datetime(2026, 11, 3, 8, 0, tzinfo=UTC),
    )
    client = login(shop_a.staff)
    client.cookies["django_language"] = "sv"
    page = client.get(reverse("backoffice:order_detail", args=[order.pk])).content.decode()
    assert "DB Schenker DBS1" in page
    assert "db_schenker" not in page
    assert "På väg – Ute för leverans" in page
    assert "Zustellung heute" not in page
