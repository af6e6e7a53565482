"""Tracking events move a shipment forward and never backwards."""

from datetime import UTC, datetime

import pytest

from aftersale.delivery.services import record_tracking_events, upsert_shipment
from aftersale.orders.ingest import InvalidPayload
from aftersale.timeline.models import Event
from tests.factories import OrderFactory


def at(day, hour=8):
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC).isoformat()


@pytest.fixture
def parcel(shop_a):
    order = OrderFactory(shop=shop_a.shop, external_id="o-1")
    upsert_shipment(
        shop_a.shop,
        {"external_id": "s-1", "order_external_id": order.external_id, "carrier": "posti"},
    )
    return shop_a.shop.shipments.get()


def send(shop, *events):
    return record_tracking_events(shop, [{"shipment_external_id": "s-1", **e} for e in events])


def test_it_follows_the_parcel_to_pickup(parcel, shop_a):
    send(
        shop_a.shop,
        {"carrier_code": "SHIP", "status": "shipped", "occurred_at": at(3)},
        {"carrier_code": "READY", "status": "ready_for_pickup", "occurred_at": at(4),
         "held_until": at(18)},
        {"carrier_code": "OUT", "status": "picked_up", "occurred_at": at(6)},
    )  # fmt: skip
    parcel.refresh_from_db()
    assert parcel.status == "picked_up"
    assert parcel.shipped_at.day == 3 and parcel.ready_at.day == 4 and parcel.received_at.day == 6
    assert parcel.held_until.day == 18
    types = list(
        Event.objects.filter(subject_type="shipment").order_by("id").values_list("type", flat=True)
    )
    assert types == [
        "shipment.created",
        "shipment.shipped",
        "shipment.ready_for_pickup",
        "shipment.picked_up",
    ]


def test_it_never_moves_backwards_on_a_late_older_event(parcel, shop_a):
    send(shop_a.shop, {"carrier_code": "OUT", "status": "picked_up", "occurred_at": at(6)})
    send(shop_a.shop, {"carrier_code": "SHIP", "status": "shipped", "occurred_at": at(3)})
    parcel.refresh_from_db()
    assert parcel.status == "picked_up"
    assert parcel.shipped_at.day == 3, "the older event still fills the missing time"
    assert not Event.objects.filter(type="shipment.shipped").exists()
    assert parcel.tracking_events.count() == 2


def test_it_keeps_an_unknown_carrier_code_as_given(parcel, shop_a):
    send(shop_a.shop, {"carrier_code": "ZZ-17", "occurred_at": at(5)})
    event = parcel.tracking_events.get()
    assert (event.carrier_code, event.status) == ("ZZ-17", "unknown")
    parcel.refresh_from_db()
    assert parcel.status == "created"
    assert Event.objects.filter(type="shipment.unknown_event").count() == 1


def test_a_repeated_event_is_a_no_op(parcel, shop_a):
    event = {"carrier_code": "SHIP", "status": "shipped", "occurred_at": at(3)}
    assert send(shop_a.shop, event)[0].created is True
    assert send(shop_a.shop, event)[0].created is False
    assert parcel.tracking_events.count() == 1
    assert Event.objects.filter(type="shipment.shipped").count() == 1


def test_it_names_an_unknown_shipment(parcel, shop_a):
    with pytest.raises(InvalidPayload) as raised:
        record_tracking_events(
            shop_a.shop,
            [{"shipment_external_id": "nope", "carrier_code": "X", "occurred_at": at(3)}],
        )
    assert raised.value.errors[0].pointer == "/0/shipment_external_id"


def test_a_carrier_code_without_a_status_is_looked_up(parcel, shop_a):
    from aftersale.delivery.carriers import map_carrier_event

    code = next(
        c for c in ("20", "21", "22", "31", "38", "40") if map_carrier_event("posti", c).status
        not in ("unknown",)
    )  # fmt: skip
    send(shop_a.shop, {"carrier_code": code, "occurred_at": at(3)})
    event = parcel.tracking_events.get()
    assert event.status == map_carrier_event("posti", code).status != "unknown"
