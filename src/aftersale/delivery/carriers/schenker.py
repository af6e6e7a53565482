"""DB Schenker (parcel to home and to Schenker pickup points). Codes: the three-letter event
codes of DB Schenker's track-and-trace (``events[].code``)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from aftersale.delivery.carriers.reading import Carrier, Fields, nested_events
from aftersale.delivery.models import ShipmentStatus as S

CODES = {
    "REC": (S.CREATED, gettext_noop("Booking received")),
    "COL": (S.SHIPPED, gettext_noop("Collected from the sender")),
    "ENT": (S.IN_TRANSIT, gettext_noop("Received at terminal")),
    "DEP": (S.IN_TRANSIT, gettext_noop("Departed from terminal")),
    "ARR": (S.IN_TRANSIT, gettext_noop("Arrived at terminal")),
    "LOA": (S.IN_TRANSIT, gettext_noop("Loaded")),
    "OFD": (S.IN_TRANSIT, gettext_noop("Out for delivery")),
    "DOT": (S.IN_TRANSIT, gettext_noop("Delivery on time slot booked")),
    "RFP": (S.READY_FOR_PICKUP, gettext_noop("Ready for pickup at the pickup point")),
    "PUP": (S.PICKED_UP, gettext_noop("Picked up by the recipient at the pickup point")),
    "DLV": (S.DELIVERED, gettext_noop("Delivered")),
    "POD": (S.DELIVERED, gettext_noop("Proof of delivery")),
    "NDL": (S.DELIVERY_FAILED, gettext_noop("Not delivered")),
    "DEV": (S.DELIVERY_FAILED, gettext_noop("Deviation")),
    "RET": (S.RETURNED_TO_SENDER, gettext_noop("Returned to the sender")),
}

CARRIER = Carrier(
    name="schenker",
    aliases=("DB Schenker", "dbschenker", "Schenker", "DB_SCHENKER"),
    codes=CODES,
    fields=Fields(
        code=("code", "eventCode", "status"),
        occurred_at=("date", "eventTime", "timestamp"),
        description=("comment", "description", "eventDescription"),
        location=("location.name", "location.city", "location"),
        held_until=("lastPickupDate", "pickupDeadline", "storedUntil"),
        pickup_point_code=("location.code", "pickupPoint.id", "pickupPointId"),
        pickup_point_kind=("location.type",),
        tracking_number=("sttNumber", "trackingNumber", "packageId"),
    ),
    events=nested_events(("shipments", "packages"), ("events",)),
    pickup_point_kinds=frozenset({"PICKUP_POINT", "PARCEL_LOCKER"}),
)
