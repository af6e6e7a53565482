"""Posti (Finland). Codes: Posti's IFTSTA transport status codes, as used in Posti's tracking
feeds and the Posti-run Nextshipping/Pakettikauppa status API."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from aftersale.delivery.carriers.reading import Carrier, Fields, nested_events
from aftersale.delivery.models import ShipmentStatus as S

CODES = {
    "68": (S.CREATED, gettext_noop("Pre-information is received from sender")),
    "13": (S.SHIPPED, gettext_noop("Item is collected from sender")),
    "48": (S.IN_TRANSIT, gettext_noop("Item is loaded onto a means of transport")),
    "31": (S.IN_TRANSIT, gettext_noop("Item is in transport")),
    "99": (S.IN_TRANSIT, gettext_noop("Item is leaving for abroad")),
    "71": (S.IN_TRANSIT, gettext_noop("Item is ready for delivery transportation")),
    "91": (S.READY_FOR_PICKUP, gettext_noop("Item has arrived at a post office or pickup point")),
    "45": (S.READY_FOR_PICKUP, gettext_noop("Recipient has been notified of arrival")),
    "22": (S.DELIVERED, gettext_noop("Item has been handed over to the recipient")),
    "56": (S.DELIVERY_FAILED, gettext_noop("Item not delivered: delivery attempt made")),
    "20": (S.DELIVERY_FAILED, gettext_noop("Exception")),
    "77": (S.RETURNED_TO_SENDER, gettext_noop("Item is returning to the sender")),
}

CARRIER = Carrier(
    name="posti",
    aliases=("Posti", "Itella", "Posti Oy", "SmartPOST"),
    codes=CODES,
    fields=Fields(
        code=("status_code", "eventCode", "statusCode", "code"),
        occurred_at=("event_timestamp", "eventTime", "timestamp", "time"),
        description=("eventDescription", "eventShortName", "description"),
        location=("locationName", "location.name", "post_office", "postOffice", "city"),
        held_until=("lastPickupDate", "last_pickup_date", "pickupDeadline", "storedUntil"),
        pickup_point_code=("pickupPoint.code", "pickupPointId", "locationCode", "pickup_point_id"),
        pickup_point_kind=("locationType", "location.type"),
        tracking_number=("tracking_code", "trackingCode", "trackingNumber", "shipmentId"),
    ),
    events=nested_events(("shipments", "parcels"), ("events", "trackingEvents")),
    pickup_point_kinds=frozenset({"PICKUPPOINT", "PICKUP_POINT", "PARCEL_LOCKER", "POSTOFFICE"}),
)
