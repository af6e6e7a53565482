"""Reads are written without validating every row again (aftersale.api.dumping): the JSON is
byte for byte what django-ninja writes after validating the rows by the response schema."""

from __future__ import annotations

import json

import pytest
from ninja.responses import NinjaJSONEncoder

from aftersale.api import reads, schemas
from aftersale.api.dumping import shape
from tests.factories import (
    OrderFactory,
    OrderLineFactory,
    PickupPointFactory,
    ReturnLineFactory,
    ReturnRequestFactory,
    ShipmentFactory,
    TrackingEventFactory,
)

pytestmark = pytest.mark.django_db

LISTS = {
    "/orders": schemas.OrderPage,
    "/customers": schemas.CustomerPage,
    "/shipments": schemas.ShipmentPage,
    "/returns": schemas.ReturnPage,
}
DETAILS = {
    "/orders": schemas.OrderOut,
    "/customers": schemas.CustomerOut,
    "/shipments": schemas.ShipmentOut,
    "/returns": schemas.ReturnOut,
}


@pytest.fixture
def varied_shop(shop_a, shop_b):
    """Rows with and without a pickup point, an address check, a cost, events and lines."""
    shop = shop_a.shop
    point = PickupPointFactory(shop=shop)
    checked = OrderFactory(
        shop=shop,
        pickup_point=point,
        address_check={
            "ok": False,
            "needs_confirmation": True,
            "problems": [
                {
                    "code": "postcode_city",
                    "field": "postcode",
                    "severity": "warning",
                    "message": "Postcode and city do not match.",
                    "params": {"postcode": "00100"},
                    "stored_by_an_older_version": "dropped from the answer",
                }
            ],
            "checked_with": "dropped from the answer",
        },
    )
    OrderLineFactory(order=checked, unit_cost_cents=None)
    line = OrderLineFactory(order=checked, unit_cost_cents=1234)
    plain = OrderFactory(shop=shop)
    parcel = ShipmentFactory(order=checked, pickup_point=point)
    TrackingEventFactory(shipment=parcel, carrier_code="SHIPPED")
    TrackingEventFactory(shipment=parcel, carrier_code="READY")
    ShipmentFactory(order=plain)
    ReturnLineFactory(return_request=ReturnRequestFactory(order=checked), order_line=line)
    OrderFactory(shop=shop_b.shop)
    return shop


def validated(schema, body: bytes) -> str:
    """What django-ninja writes for this data: validated by ``schema``, dumped, encoded."""
    return json.dumps(schema.model_validate(json.loads(body)).model_dump(), cls=NinjaJSONEncoder)


@pytest.mark.parametrize("path", LISTS)
def test_a_list_is_what_the_validated_schema_gives(api, varied_shop, path):
    response = api(varied_shop).get(path, {"limit": 50})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["items"]
    assert response.content.decode() == validated(LISTS[path], response.content)


@pytest.mark.parametrize("path", DETAILS)
def test_a_read_by_id_is_what_the_validated_schema_gives(api, varied_shop, path):
    client = api(varied_shop)
    for item in client.get(path).json()["items"]:
        key = item.get("external_id") or item["code"]
        response = client.get(f"{path}/{key}")
        assert response.status_code == 200
        assert response.json() == item
        assert response.content.decode() == validated(DETAILS[path], response.content)


def test_the_rows_are_what_validating_the_stored_objects_gives(api, varied_shop):
    """From the model objects, as django-ninja validated them before: extra keys of a stored
    address check dropped, datetimes and empty values written alike."""
    made = {
        "/orders": (reads._orders(varied_shop), reads.order_out, schemas.OrderOut),
        "/shipments": (reads._shipments(varied_shop), reads.shipment_out, schemas.ShipmentOut),
        "/returns": (reads._returns(varied_shop), reads.return_out, schemas.ReturnOut),
    }
    client = api(varied_shop)
    for path, (queryset, serialize, schema) in made.items():
        written = client.get(path).json()["items"]
        expected = [
            json.loads(
                json.dumps(schema.model_validate(serialize(row)).model_dump(), cls=NinjaJSONEncoder)
            )
            for row in queryset.order_by("updated_at", "pk")
        ]
        assert written == expected
    order = next(item for item in client.get("/orders").json()["items"] if item["address_check"])
    assert "checked_with" not in order["address_check"]
    assert "stored_by_an_older_version" not in order["address_check"]["problems"][0]


def test_shaping_drops_what_the_schema_does_not_name_and_keeps_its_order():
    row = {
        "next_cursor": None,
        "unknown": 1,
        "items": [{"carrier_code": "X", "status": "s", "description": "d", "location": "l",
                   "occurred_at": None, "extra": True}],
    }  # fmt: skip

    class EventsPage(schemas.Schema):
        items: list[schemas.TrackingEventOut]
        next_cursor: str | None

    assert shape(EventsPage, row) == {
        "items": [{"carrier_code": "X", "status": "s", "description": "d", "location": "l",
                   "occurred_at": None}],
        "next_cursor": None,
    }  # fmt: skip
    assert list(shape(EventsPage, row)) == ["items", "next_cursor"]
