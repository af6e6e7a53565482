"""Carrier events in neutral words: what the timeline and the reminders rely on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aftersale.delivery.carriers import (
    CARRIERS,
    carrier_for,
    map_carrier_event,
    next_shipment_status,
    parse_tracking_payload,
    settle_received_status,
)
from aftersale.delivery.models import ShipmentStatus

FIXTURES = Path(__file__).parent.parent / "fixtures" / "carriers"


def sample(carrier: str, journey: str):
    return json.loads((FIXTURES / f"{carrier}.json").read_text(encoding="utf-8"))[journey]


def statuses(carrier: str, journey: str) -> list[str]:
    return [event.status for event in parse_tracking_payload(carrier, sample(carrier, journey))]


JOURNEYS = {
    ("posti", "pickup_journey"): [
        "created",
        "shipped",
        "in_transit",
        "in_transit",
        "in_transit",
        "ready_for_pickup",
        "ready_for_pickup",
        "picked_up",
    ],
    ("posti", "home_journey"): ["created", "delivery_failed", "delivered"],
    ("posti", "unclaimed_journey"): ["ready_for_pickup", "returned_to_sender", "unknown"],
    ("matkahuolto", "pickup_journey"): [
        "created",
        "shipped",
        "in_transit",
        "in_transit",
        "in_transit",
        "ready_for_pickup",
        "ready_for_pickup",
        "picked_up",
    ],
    ("matkahuolto", "home_journey"): ["shipped", "in_transit", "delivery_failed", "delivered"],
    ("matkahuolto", "unclaimed_journey"): [
        "ready_for_pickup",
        "ready_for_pickup",
        "returned_to_sender",
        "unknown",
    ],
    ("postnord", "pickup_journey"): [
        "created",
        "in_transit",
        "ready_for_pickup",
        "picked_up",
        "unknown",
    ],
    ("postnord", "home_journey"): ["created", "delivery_failed", "delivered"],
    ("postnord", "unclaimed_journey"): ["ready_for_pickup", "returned_to_sender"],
    ("schenker", "pickup_journey"): [
        "created",
        "shipped",
        "in_transit",
        "in_transit",
        "ready_for_pickup",
        "picked_up",
    ],
    ("schenker", "home_journey"): ["shipped", "in_transit", "delivery_failed", "delivered"],
    ("schenker", "unclaimed_journey"): ["ready_for_pickup", "returned_to_sender", "unknown"],
    ("budbee", "pickup_journey"): [
        "created",
        "shipped",
        "in_transit",
        "in_transit",
        "ready_for_pickup",
        "picked_up",
    ],
    ("budbee", "home_journey"): ["shipped", "in_transit", "delivery_failed", "delivered"],
    ("budbee", "unclaimed_journey"): ["ready_for_pickup", "returned_to_sender", "unknown"],
}


@pytest.mark.parametrize(("carrier", "journey"), sorted(JOURNEYS))
def test_it_reads_each_carriers_journey_in_neutral_states(carrier, journey):
    assert statuses(carrier, journey) == JOURNEYS[(carrier, journey)]


# PostNord reports no hand-over from the sender: its first EN_ROUTE is when the parcel left.
NOT_REPORTED = {"postnord": {"shipped"}}


@pytest.mark.parametrize("carrier", sorted(CARRIERS))
def test_it_covers_every_neutral_state_for_every_carrier(carrier):
    seen = {status for (name, _), steps in JOURNEYS.items() if name == carrier for status in steps}
    every_state = {choice.value for choice in ShipmentStatus}
    assert seen == every_state - NOT_REPORTED.get(carrier, set())


@pytest.mark.parametrize(
    ("carrier", "point_code", "held_until"),
    [
        ("posti", "905253201", datetime(2026, 11, 10, 21, 59, 59, tzinfo=UTC)),
        ("matkahuolto", "6510", datetime(2026, 11, 17, 21, 59, 59, tzinfo=UTC)),
        ("postnord", "500285", datetime(2026, 11, 19, 22, 59, 59, tzinfo=UTC)),
        ("schenker", "6679", datetime(2026, 11, 17, 21, 59, 59, tzinfo=UTC)),
        ("budbee", "FI-BOX-123", datetime(2026, 11, 10, 21, 0, tzinfo=UTC)),
    ],
)
def test_it_reads_the_pickup_point_and_holding_deadline_of_a_ready_parcel(
    carrier, point_code, held_until
):
    ready = next(
        event
        for event in parse_tracking_payload(carrier, sample(carrier, "pickup_journey"))
        if event.status == "ready_for_pickup" and event.held_until
    )

    assert ready.pickup_point_code == point_code
    # A bare date is held until the end of that day, local time.
    assert ready.held_until == held_until


def test_it_keeps_the_carriers_code_time_place_and_words():
    events = parse_tracking_payload("postnord", sample("postnord", "pickup_journey"))
    ready = events[2]

    assert ready.carrier_code == "1"
    assert ready.description == "The shipment item has been delivered to a service point."
    assert ready.location == "K-MARKET TIKKURILA"
    # PostNord sends Swedish local time without an offset.
    assert ready.occurred_at == datetime(2026, 11, 3, 10, 24, tzinfo=UTC)
    assert ready.tracking_number == "00370000000000000011"


def test_it_prefers_english_from_a_multilingual_description():
    first = parse_tracking_payload("posti", sample("posti", "pickup_journey"))[0]
    assert first.description == "Pre-information is received from sender"
    assert first.occurred_at == datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
    assert first.tracking_number == "JJFI64574900000137203"


def test_it_reads_posti_times_in_finnish_local_time():
    first = parse_tracking_payload("posti", sample("posti", "home_journey"))[0]
    assert first.occurred_at == datetime(2016, 9, 30, 14, 34, tzinfo=UTC)
    assert first.location == "KAJAANI"


def test_it_returns_events_oldest_first():
    shuffled = list(reversed(sample("budbee", "home_journey")["events"]))
    events = parse_tracking_payload("budbee", {"parcelId": "B", "events": shuffled})
    assert [e.status for e in events] == ["shipped", "in_transit", "delivery_failed", "delivered"]


@pytest.mark.parametrize(
    ("carrier", "code", "status"),
    [
        ("posti", "91", "ready_for_pickup"),
        ("Posti", "77", "returned_to_sender"),
        ("itella", "22", "delivered"),
        ("Matkahuolto", "50", "ready_for_pickup"),
        ("MH", "70", "returned_to_sender"),
        ("PostNord", "AVAILABLE_FOR_DELIVERY", "ready_for_pickup"),
        ("postnord", "available_for_delivery", "ready_for_pickup"),
        ("DB Schenker", "DLV", "delivered"),
        ("db_schenker", "RET", "returned_to_sender"),
        ("budbee", "DeliveredToBox", "ready_for_pickup"),
        ("Budbee", "RETURNED_TO_MERCHANT", "returned_to_sender"),
    ],
)
def test_it_maps_a_bare_code(carrier, code, status):
    event = map_carrier_event(carrier, code)
    assert event.status == status
    assert event.carrier_code == code
    assert event.description


@pytest.mark.parametrize(
    ("carrier", "code"),
    [("posti", "38"), ("matkahuolto", "104"), ("postnord", "OTHER"), ("budbee", "Teleported")],
)
def test_it_keeps_an_unknown_code_as_unknown(carrier, code):
    event = map_carrier_event(carrier, code)
    assert event.status == "unknown"
    assert event.carrier_code == code


def test_it_keeps_events_of_a_carrier_it_does_not_know():
    by_code = map_carrier_event("Bring", "RFP-17")
    by_payload = map_carrier_event(
        "Bring", {"eventCode": "X9", "description": "Something", "timestamp": "2026-11-03T10:00Z"}
    )
    many = parse_tracking_payload("Bring", [{"code": "A"}, {"code": "B"}])

    assert (by_code.status, by_code.carrier_code) == ("unknown", "RFP-17")
    assert (by_payload.status, by_payload.carrier_code) == ("unknown", "X9")
    assert by_payload.occurred_at == datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    assert [e.carrier_code for e in many] == ["A", "B"]


@pytest.mark.parametrize(
    "junk", [None, "", 42, [], {}, {"eventCode": None}, {"timestamp": "yesterday"}]
)
def test_it_never_raises_on_junk(junk):
    for carrier in [*CARRIERS, "nobody"]:
        assert map_carrier_event(carrier, junk).status == "unknown"
        parse_tracking_payload(carrier, junk)


def test_it_maps_one_event_object():
    event = map_carrier_event(
        "matkahuolto",
        {
            "EventCode": "50",
            "EventTimestamp": "2026-11-03T10:05:00",
            "OfficeCode": "6510",
            "Place": "R-KIOSKI",
            "LastPickupDate": "17.11.2026",
        },
    )
    assert event.status == "ready_for_pickup"
    assert event.pickup_point_code == "6510"
    assert event.held_until == datetime(2026, 11, 17, 21, 59, 59, tzinfo=UTC)


def test_it_tells_a_pickup_from_a_home_delivery_by_the_previous_state():
    assert settle_received_status("ready_for_pickup", "delivered") == "picked_up"
    assert settle_received_status("in_transit", "delivered") == "delivered"
    assert settle_received_status(None, "in_transit") == "in_transit"


def test_it_finds_carriers_by_their_everyday_names():
    assert carrier_for("DB Schenker").name == "schenker"
    assert carrier_for("Matkahuolto").name == "matkahuolto"
    assert carrier_for("Post Nord").name == "postnord"
    assert carrier_for("Bring") is None


@pytest.mark.parametrize(
    ("current", "event", "after"),
    [
        ("created", "shipped", "shipped"),
        ("shipped", "in_transit", "in_transit"),
        ("in_transit", "delivery_failed", "delivery_failed"),
        ("delivery_failed", "in_transit", "in_transit"),  # a new attempt
        ("in_transit", "ready_for_pickup", "ready_for_pickup"),
        ("ready_for_pickup", "ready_for_pickup", "ready_for_pickup"),  # a reminder
        ("ready_for_pickup", "in_transit", "ready_for_pickup"),  # a late scan
        ("ready_for_pickup", "delivered", "picked_up"),
        ("ready_for_pickup", "returned_to_sender", "returned_to_sender"),
        ("delivered", "in_transit", "delivered"),
        ("picked_up", "returned_to_sender", "picked_up"),
        ("in_transit", "unknown", "in_transit"),
        (None, "shipped", "shipped"),
    ],
)
def test_it_moves_a_shipment_forward_only(current, event, after):
    assert next_shipment_status(current, event) == after
