"""Budbee (home delivery and Budbee boxes). Budbee names its states in words; names are matched
regardless of case and separators, so ``DeliveredToBox`` and ``DELIVERED_TO_BOX`` are one."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from aftersale.delivery.carriers.reading import Carrier, Fields, nested_events
from aftersale.delivery.models import ShipmentStatus as S

CODES = {
    "ORDER_CREATED": (S.CREATED, gettext_noop("Order created")),
    "PARCEL_CREATED": (S.CREATED, gettext_noop("Parcel created")),
    "COLLECTED_SHIPMENT": (S.SHIPPED, gettext_noop("Collected from the merchant")),
    "ARRIVED_AT_TERMINAL": (S.IN_TRANSIT, gettext_noop("Arrived at terminal")),
    "ON_ROUTE_TO_DELIVERY": (S.IN_TRANSIT, gettext_noop("On its way to the customer")),
    "ON_ROUTE_TO_BOX": (S.IN_TRANSIT, gettext_noop("On its way to the Budbee box")),
    "DELIVERED_TO_BOX": (S.READY_FOR_PICKUP, gettext_noop("In the Budbee box, ready for pickup")),
    "READY_FOR_PICKUP": (S.READY_FOR_PICKUP, gettext_noop("Ready for pickup")),
    "PICKED_UP_FROM_BOX": (S.PICKED_UP, gettext_noop("Collected from the Budbee box")),
    "DELIVERED": (S.DELIVERED, gettext_noop("Delivered")),
    "DELIVERED_TO_CONSUMER": (S.DELIVERED, gettext_noop("Delivered to the customer")),
    "DELIVERY_FAILED": (S.DELIVERY_FAILED, gettext_noop("Delivery failed")),
    "CONSUMER_NOT_HOME": (S.DELIVERY_FAILED, gettext_noop("Customer was not at home")),
    "RETURNED_TO_MERCHANT": (S.RETURNED_TO_SENDER, gettext_noop("Returned to the merchant")),
    "RETURNING_TO_MERCHANT": (
        S.RETURNED_TO_SENDER,
        gettext_noop("On its way back to the merchant"),
    ),
}

CARRIER = Carrier(
    name="budbee",
    aliases=("Budbee", "Budbee AB", "Instabee"),
    codes=CODES,
    fields=Fields(
        code=("status", "event", "state", "code"),
        occurred_at=("date", "timestamp", "createdAt", "time"),
        description=("description", "message"),
        location=("location.name", "box.name", "location"),
        held_until=("box.pickupDeadline", "pickupDeadline", "lastPickupDate", "expiresAt"),
        pickup_point_code=("box.id", "lockerId", "location.id"),
        tracking_number=("parcelId", "packageId", "trackingNumber", "orderId"),
    ),
    events=nested_events(("parcels", "orders"), ("events", "statusHistory")),
)
