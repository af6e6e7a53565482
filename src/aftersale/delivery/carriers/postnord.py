"""PostNord (Sweden, Denmark, Finland, Norway). PostNord's Track & Trace API gives every event a
neutral ``status`` beside its numeric ``eventCode``; the status is what is mapped here, and the
eventCode (or the status when there is none) is kept as the carrier's code."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from aftersale.delivery.carriers.reading import Carrier, Fields, nested_events
from aftersale.delivery.models import ShipmentStatus as S

CODES = {
    "CREATED": (S.CREATED, gettext_noop("Shipment created")),
    "INFORMED": (S.CREATED, gettext_noop("PostNord has been informed of the shipment")),
    "EN_ROUTE": (S.IN_TRANSIT, gettext_noop("Shipment is on its way")),
    "DELAYED": (S.IN_TRANSIT, gettext_noop("Shipment is delayed")),
    "EXPECTED_DELAY": (S.IN_TRANSIT, gettext_noop("Shipment is expected to be delayed")),
    "AVAILABLE_FOR_DELIVERY": (S.READY_FOR_PICKUP, gettext_noop("Shipment can be collected")),
    "DELIVERED": (S.DELIVERED, gettext_noop("Shipment has been delivered")),
    "DELIVERY_IMPOSSIBLE": (S.DELIVERY_FAILED, gettext_noop("Delivery was not possible")),
    "DELIVERY_REFUSED": (S.DELIVERY_FAILED, gettext_noop("Delivery was refused")),
    "STOPPED": (S.DELIVERY_FAILED, gettext_noop("Shipment has been stopped")),
    "RETURNED": (S.RETURNED_TO_SENDER, gettext_noop("Shipment is returned to the sender")),
}

CARRIER = Carrier(
    name="postnord",
    aliases=("PostNord", "Post Nord", "PostNord Finland"),
    codes=CODES,
    fields=Fields(
        code=("status",),
        kept_code=("eventCode",),
        occurred_at=("eventTime", "time"),
        description=("eventDescription", "description"),
        location=("location.displayName", "location.name", "location.city"),
        held_until=("lastDayForPickup", "pickupDeadline", "holdUntil", "returnDate"),
        pickup_point_code=("location.locationId", "deliveryPoint.locationId"),
        pickup_point_kind=("location.locationType",),
        tracking_number=("itemId", "shipmentId"),
    ),
    events=nested_events(("TrackingInformationResponse", "shipments", "items"), ("events",)),
    time_zone="Europe/Stockholm",
    pickup_point_kinds=frozenset({"SERVICE_POINT", "PARCEL_LOCKER", "PARCEL_BOX"}),
)
