"""DB Schenker (parcel to home and to Schenker pickup points). Codes: the three-letter event
codes of DB Schenker's track-and-trace (``events[].code``)."""

from __future__ import annotations

from aftersale.delivery.carriers.reading import Carrier, Fields, nested_events
from aftersale.delivery.models import ShipmentStatus as S

CODES = {
    "REC": (S.CREATED, "Booking received"),
    "COL": (S.SHIPPED, "Collected from the sender"),
    "ENT": (S.IN_TRANSIT, "Received at terminal"),
    "DEP": (S.IN_TRANSIT, "Departed from terminal"),
    "ARR": (S.IN_TRANSIT, "Arrived at terminal"),
    "LOA": (S.IN_TRANSIT, "Loaded"),
    "OFD": (S.IN_TRANSIT, "Out for delivery"),
    "DOT": (S.IN_TRANSIT, "Delivery on time slot booked"),
    "RFP": (S.READY_FOR_PICKUP, "Ready for pickup at the pickup point"),
    "PUP": (S.PICKED_UP, "Picked up by the recipient at the pickup point"),
    "DLV": (S.DELIVERED, "Delivered"),
    "POD": (S.DELIVERED, "Proof of delivery"),
    "NDL": (S.DELIVERY_FAILED, "Not delivered"),
    "DEV": (S.DELIVERY_FAILED, "Deviation"),
    "RET": (S.RETURNED_TO_SENDER, "Returned to the sender"),
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
