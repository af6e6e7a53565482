"""What a shop sends about parcels: shipments, their tracking events and pickup points."""

from __future__ import annotations

from pydantic import Field

from aftersale.delivery.models import PickupPoint, ShipmentStatus
from aftersale.orders.ingest import (
    UPDATED_AT_HELP,
    CountryCode,
    Day,
    ExternalId,
    Instant,
    Payload,
    text,
)


class PickupPointIn(Payload):
    carrier: text(40, min_length=1)
    code: text(40, min_length=1)
    name: text(200) = ""
    kind: PickupPoint.Kind = PickupPoint.Kind.COUNTER
    street: text(200) = ""
    postcode: text(20) = ""
    city: text(100) = ""
    country: CountryCode = "FI"


class TrackingEventIn(Payload):
    """One carrier event. ``status`` is the neutral meaning if the sender knows it."""

    shipment_external_id: ExternalId | None = Field(
        default=None, description="Needed when the event is sent on its own."
    )
    carrier_code: text(60, min_length=1)
    status: ShipmentStatus | None = Field(
        default=None, description="Neutral status; left out, the carrier code decides."
    )
    description: text(300) = ""
    location: text(200) = ""
    occurred_at: Instant
    held_until: Instant | None = Field(
        default=None, description="For ready_for_pickup: the last day the parcel is held."
    )


class ShipmentIn(Payload):
    external_id: ExternalId
    order_external_id: ExternalId
    carrier: text(40, min_length=1)
    tracking_number: text(100) = ""
    pickup_point: PickupPointIn | None = None
    held_until: Instant | None = None
    expected_delivery: Day | None = None
    shipped_at: Instant | None = None
    events: list[TrackingEventIn] = Field(default_factory=list, max_length=200)
    updated_at: Instant | None = Field(default=None, description=UPDATED_AT_HELP)
