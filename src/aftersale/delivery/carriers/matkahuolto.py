"""Matkahuolto (Finland). Codes: the event codes of Matkahuolto's tracking interface
(``/mpaketti/public/tracking``, JSON with ``Accept: application/json``)."""

from __future__ import annotations

from aftersale.delivery.carriers.reading import Carrier, Fields, nested_events
from aftersale.delivery.models import ShipmentStatus as S

CODES = {
    "02": (S.CREATED, "Advance notice"),
    "08": (S.SHIPPED, "Picked up from sender"),
    "10": (S.SHIPPED, "Received at departing parcel point"),
    "12": (S.IN_TRANSIT, "Consolidated"),
    "15": (S.IN_TRANSIT, "Received for carriage"),
    "25": (S.IN_TRANSIT, "Loaded for main transport"),
    "35": (S.IN_TRANSIT, "Received at destination terminal"),
    "40": (S.IN_TRANSIT, "Waiting for delivery loading"),
    "41": (S.IN_TRANSIT, "Waiting for parcel-point loading"),
    "45": (S.IN_TRANSIT, "Loaded for delivery"),
    "46": (S.IN_TRANSIT, "Loaded for parcel-point delivery"),
    "47": (S.IN_TRANSIT, "Delivered to parcel point"),
    "48": (S.IN_TRANSIT, "Received at parcel point"),
    "50": (S.READY_FOR_PICKUP, "Ready for collection"),
    "55": (S.READY_FOR_PICKUP, "First notification"),
    "56": (S.READY_FOR_PICKUP, "Second notification"),
    "57": (S.READY_FOR_PICKUP, "Manual notification"),
    "60": (S.DELIVERED, "Handed to recipient"),
    "61": (S.DELIVERED, "Handed to proxy"),
    "70": (S.RETURNED_TO_SENDER, "Returned uncollected"),
    "97": (S.DELIVERY_FAILED, "Unsuccessful delivery attempt"),
}

CARRIER = Carrier(
    name="matkahuolto",
    aliases=("Matkahuolto", "MH", "Matkahuolto Oy"),
    codes=CODES,
    fields=Fields(
        code=("EventCode", "eventCode", "Code", "code"),
        occurred_at=("EventTimestamp", "eventTimestamp", "Timestamp", "EventTime", "timestamp"),
        description=("EventDescription", "Description", "Remarks", "description"),
        location=("Place", "place", "OfficeName", "location"),
        held_until=("LastPickupDate", "LastCollectionDate", "PickupDeadline", "lastPickupDate"),
        pickup_point_code=("OfficeCode", "officeCode", "PlaceCode", "DestinationPlaceCode"),
        tracking_number=("ShipmentNumber", "shipmentNumber", "ParcelNumber", "parcelNumber"),
    ),
    events=nested_events(("Shipments", "shipments", "Shipment"), ("Events", "events", "Event")),
)
