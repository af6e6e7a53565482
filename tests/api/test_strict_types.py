"""The API takes values of the types its schema states, and nothing it would have to guess at:
no ``true`` for a number, no numeric strings, no Unix times, no times without an offset."""

import pytest

from aftersale.orders.models import Order
from tests.api.samples import order_payload


def line(**fields):
    return {"external_id": "1", "name": "Cap", "unit_price_cents": 990, **fields}


@pytest.mark.parametrize(
    ("payload", "pointer"),
    [
        (order_payload(lines=[line(quantity=True)]), "/lines/0/quantity"),
        (order_payload(lines=[line(unit_price_cents=True)]), "/lines/0/unit_price_cents"),
        (order_payload(lines=[line(unit_price_cents="990")]), "/lines/0/unit_price_cents"),
        (order_payload(lines=[line(unit_price_cents=990.5)]), "/lines/0/unit_price_cents"),
        (order_payload(lines=[line(vat_rate_bp="2550")]), "/lines/0/vat_rate_bp"),
        (order_payload(shipping_cents=False), "/shipping_cents"),
        (order_payload(marketing_consent="yes"), "/marketing_consent"),
        (order_payload(marketing_consent=1), "/marketing_consent"),
        (order_payload(placed_at=1793000000), "/placed_at"),
        (order_payload(placed_at="1793000000"), "/placed_at"),
        (order_payload(placed_at="2026-11-02T10:00:00"), "/placed_at"),
    ],
)
def test_an_order_field_of_the_wrong_type_is_refused(api, shop_a, payload, pointer):
    response = api(shop_a.shop).post("/orders", payload)
    assert response.status_code == 422
    assert pointer in [error["pointer"] for error in response.json()["errors"]]
    assert not Order.objects.exists()


def test_a_shipment_day_must_be_a_date(api, shop_a):
    api(shop_a.shop).post("/orders", order_payload())
    shipment = {"external_id": "s1", "order_external_id": "1001", "carrier": "posti"}
    response = api(shop_a.shop).post("/shipments", {**shipment, "expected_delivery": 20261105})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/expected_delivery"
    response = api(shop_a.shop).post("/shipments", {**shipment, "expected_delivery": "2026-11-05"})
    assert response.status_code == 201


def test_a_product_flag_must_be_true_or_false(api, shop_a):
    response = api(shop_a.shop).post(
        "/products", {"external_id": "p1", "name": "Cap", "final_sale": "false"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/final_sale"


@pytest.mark.parametrize("since", ["1793000000", "2026-11-02"])
def test_a_list_filter_takes_a_date_and_time_with_offset_only(api, shop_a, since):
    response = api(shop_a.shop).get("/orders", {"updated_since": since})
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "updated_since"


def test_a_well_typed_order_is_stored(api, shop_a):
    response = api(shop_a.shop).post("/orders", order_payload(marketing_consent=True))
    assert response.status_code == 201


def test_a_number_without_a_fraction_is_the_integer_json_schema_says_it_is(api, shop_a):
    payload = order_payload(lines=[line(quantity=2.0, unit_price_cents=990.0)])
    assert api(shop_a.shop).post("/orders", payload).status_code == 201
    assert Order.objects.get().lines.get().total_cents == 1980
