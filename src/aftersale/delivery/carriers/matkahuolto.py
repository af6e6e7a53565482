"""Matkahuolto (Finland). Codes: the event codes of Matkahuolto's tracking interface
(``/mpaketti/public/tracking``, JSON with ``Accept: application/json``)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from aftersale.delivery.carriers.reading import Carrier, Fields, nested_events
from aftersale.delivery.models import ShipmentStatus as S

CODES = {
    "02": (S.CREATED, gettext_noop("Advance notice")),
    "08": (S.SHIPPED, gettext_noop("Picked up from sender")),
    "10": (S.SHIPPED, gettext_noop("Received at departing parcel point")),
    "12": (S.IN_TRANSIT, gettext_noop("Consolidated")),
    "15": (S.IN_TRANSIT, gettext_noop("Received for carriage")),
    "25": (S.IN_TRANSIT, gettext_noop("Loaded for main transport")),
    "35": (S.IN_TRANSIT, gettext_noop("Received at destination terminal")),
    "40": (S.IN_TRANSIT, gettext_noop("Waiting for delivery loading")),
    "41": (S.IN_TRANSIT, gettext_noop("Waiting for parcel-point loading")),
    "45": (S.IN_TRANSIT, gettext_noop("Loaded for delivery")),
    "46": (S.IN_TRANSIT, gettext_noop("Loaded for parcel-point delivery")),
    "47": (S.IN_TRANSIT, gettext_noop("Delivered to parcel point")),
    "48": (S.IN_TRANSIT, gettext_noop("Received at parcel point")),
    "50": (S.READY_FOR_PICKUP, gettext_noop("Ready for collection")),
    "55": (S.READY_FOR_PICKUP, gettext_noop("First notification")),
    "56": (S.READY_FOR_PICKUP, gettext_noop("Second notification")),
    "57": (S.READY_FOR_PICKUP, gettext_noop("Manual notification")),
    "60": (S.DELIVERED, gettext_noop("Handed to recipient")),
    "61": (S.DELIVERED, gettext_noop("Handed to proxy")),
    "70": (S.RETURNED_TO_SENDER, gettext_noop("Returned uncollected")),
    "97": (S.DELIVERY_FAILED, gettext_noop("Unsuccessful delivery attempt")),
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
