"""Reads are written without validating every row again (aftersale.api.dumping): the JSON is
byte for byte what django-ninja writes after validating the rows by the response schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from ninja.responses import NinjaJSONEncoder

from aftersale.api import reads, schemas
from aftersale.api.dumping import shape
from aftersale.orders.models import Customer
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
    # A time with less than a millisecond past the second is written as ".000Z".
    type(plain).objects.filter(pk=plain.pk).update(
        updated_at=datetime(2026, 11, 30, 12, 0, 1, 5, tzinfo=UTC)
    )
    return shop


READS = {
    "/orders": (reads._orders, reads.order_out, "external_id"),
    "/customers": (
        lambda shop: Customer.objects.for_shop(shop),
        reads._customer_out,
        "external_id",
    ),
    "/shipments": (reads._shipments, reads.shipment_out, "external_id"),
    "/returns": (reads._returns, reads.return_out, "code"),
}


def validated(schema, data) -> str:
    """What django-ninja wrote for this data before: validated by ``schema``, dumped, encoded
    (from the stored objects: read back from JSON, a time would lose its microseconds)."""
    return json.dumps(schema.model_validate(data).model_dump(), cls=NinjaJSONEncoder)


def stored(shop, path):
    queryset, serialize, _key = READS[path]
    return [(row, serialize(row)) for row in queryset(shop).order_by("updated_at", "pk")]


@pytest.mark.parametrize("path", LISTS)
def test_a_list_is_what_the_validated_schema_gives(api, varied_shop, path):
    response = api(varied_shop).get(path, {"limit": 50})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    items = [data for _row, data in stored(varied_shop, path)]
    assert items
    expected = validated(LISTS[path], {"items": items, "next_cursor": None})
    assert response.content.decode() == expected


@pytest.mark.parametrize("path", DETAILS)
def test_a_read_by_id_is_what_the_validated_schema_gives(api, varied_shop, path):
    client = api(varied_shop)
    key = READS[path][2]
    for row, data in stored(varied_shop, path):
        response = client.get(f"{path}/{getattr(row, key)}")
        assert response.status_code == 200
        assert response.content.decode() == validated(DETAILS[path], data)


def test_a_stored_address_check_is_answered_without_what_the_schema_does_not_name(api, varied_shop):
    orders = api(varied_shop).get("/orders").json()["items"]
    order = next(item for item in orders if item["address_check"])
    assert "checked_with" not in order["address_check"]
    assert "stored_by_an_older_version" not in order["address_check"]["problems"][0]
    assert order["address_check"]["problems"][0]["params"] == {"postcode": "00100"}


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
