"""Carrier-neutral tracking: map each carrier's event codes to ShipmentStatus.

``map_carrier_event(carrier, payload_or_code)`` reads one event (a code, or one event object in the
carrier's JSON shape); ``parse_tracking_payload(carrier, payload)`` reads a whole webhook or
tracking response with many events. An unknown carrier or code is never dropped and never raises:
it comes back with status ``unknown`` and the carrier's code kept as sent. The tables are
documented in docs/developers/carriers.md.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.utils.translation import gettext

from aftersale.delivery.carriers import budbee, matkahuolto, posti, postnord, schenker
from aftersale.delivery.carriers.reading import (
    Carrier,
    MappedEvent,
    normalise_carrier,
    read_event,
    unknown_event,
)
from aftersale.delivery.models import ShipmentStatus

__all__ = [
    "CARRIERS",
    "MappedEvent",
    "carrier_for",
    "display_name",
    "event_text",
    "map_carrier_event",
    "next_shipment_status",
    "parse_tracking_payload",
    "settle_received_status",
]

CARRIERS: dict[str, Carrier] = {
    carrier.name: carrier
    for carrier in (
        posti.CARRIER,
        matkahuolto.CARRIER,
        schenker.CARRIER,
        postnord.CARRIER,
        budbee.CARRIER,
    )
}

_ALIASES = {
    normalise_carrier(alias): carrier
    for carrier in CARRIERS.values()
    for alias in (carrier.name, *carrier.aliases)
}


# How people write each carrier's name.
DISPLAY_NAMES = {
    "posti": "Posti",
    "matkahuolto": "Matkahuolto",
    "schenker": "DB Schenker",
    "postnord": "PostNord",
    "budbee": "Budbee",
}


def display_name(name: str) -> str:
    """ "DB Schenker" for "schenker", "db_schenker" or "DB Schenker"; unknown names as given."""
    carrier = carrier_for(name)
    return DISPLAY_NAMES.get(carrier.name, name) if carrier else name


def event_text(carrier: str, code: str) -> str:
    """What a carrier's event code means, in the active language ("" for a code we do not know).

    The carrier's own description is kept on the event as sent, in whatever language the
    carrier wrote it; customers read this text instead.
    """
    known = carrier_for(carrier)
    meaning = known.lookup(code) if known else None
    return gettext(meaning[1]) if meaning else ""


def carrier_for(name: str) -> Carrier | None:
    """The carrier called ``name`` ("Posti", "itella", "DB Schenker", "mh" …), or None."""
    return _ALIASES.get(normalise_carrier(name or ""))


def map_carrier_event(carrier: str, payload_or_code: Any) -> MappedEvent:
    """The neutral meaning of one carrier event: a code ("91") or one event object (a dict)."""
    known = carrier_for(carrier)
    if known is None:
        return unknown_event(payload_or_code)
    if isinstance(payload_or_code, dict):
        return read_event(known, payload_or_code, {})
    return known.map_code(payload_or_code)


def parse_tracking_payload(carrier: str, payload: Any) -> list[MappedEvent]:
    """Every event in a carrier's webhook or tracking response, oldest first.

    Accepts the carrier's envelope (e.g. PostNord's ``TrackingInformationResponse``), a list of
    events, or a single event object.
    """
    known = carrier_for(carrier)
    if known is None:
        items = payload if isinstance(payload, list) else [payload]
        return [unknown_event(item) for item in items]
    events = [read_event(known, event, context) for event, context in known.events(payload)]
    events.sort(key=lambda event: (event.occurred_at is None, event.occurred_at or 0))
    settled, previous = [], None
    for event in events:
        status = settle_received_status(previous, event.status)
        settled.append(event if status == event.status else replace(event, status=status))
        if status != ShipmentStatus.UNKNOWN:
            previous = status
    return settled


def settle_received_status(previous_status: str | None, status: str) -> str:
    """A "handed over" event after the parcel waited at a pickup point means it was picked up.

    Most carriers use one code for handing a parcel over at the door and at a pickup point; the
    previous status tells them apart.
    """
    if status == ShipmentStatus.DELIVERED and previous_status == ShipmentStatus.READY_FOR_PICKUP:
        return str(ShipmentStatus.PICKED_UP)
    return status


# How far along a parcel is. A late or repeated event never moves a shipment backwards, and the
# three endings (delivered, picked up, returned unclaimed) are final.
_PROGRESS = {
    ShipmentStatus.CREATED: 0,
    ShipmentStatus.SHIPPED: 1,
    ShipmentStatus.IN_TRANSIT: 2,
    ShipmentStatus.DELIVERY_FAILED: 2,
    ShipmentStatus.READY_FOR_PICKUP: 3,
    ShipmentStatus.DELIVERED: 4,
    ShipmentStatus.PICKED_UP: 4,
    ShipmentStatus.RETURNED_TO_SENDER: 4,
}
_FINAL = 4


def next_shipment_status(current: str | None, event_status: str) -> str:
    """The shipment's status after an event: forward only, ``unknown`` changes nothing.

    A failed attempt and a new attempt (``in_transit``) may alternate; a "handed over" event
    after ``ready_for_pickup`` becomes ``picked_up``.
    """
    current = current or ShipmentStatus.CREATED
    if event_status not in _PROGRESS:
        return str(current)
    new = settle_received_status(current, event_status)
    if current not in _PROGRESS:
        return str(new)
    before, after = _PROGRESS[current], _PROGRESS[new]
    if after > before or (after == before and before < _FINAL):
        return str(new)
    return str(current)
