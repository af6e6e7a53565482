"""Budbee (home delivery and Budbee boxes). Budbee names its states in words; names are matched
regardless of case and separators, so ``DeliveredToBox`` and ``DELIVERED_TO_BOX`` are one."""

from __future__ import annotations

from aftersale.delivery.carriers.reading import Carrier, Fields, nested_events
from aftersale.delivery.models import ShipmentStatus as S

CODES = {
    "ORDER_CREATED": (S.CREATED, "Order created"),
    "PARCEL_CREATED": (S.CREATED, "Parcel created"),
    "COLLECTED_SHIPMENT": (S.SHIPPED, "Collected from the merchant"),
    "ARRIVED_AT_TERMINAL": (S.IN_TRANSIT, "Arrived at terminal"),
    "ON_ROUTE_TO_DELIVERY": (S.IN_TRANSIT, "On its way to the customer"),
    "ON_ROUTE_TO_BOX": (S.IN_TRANSIT, "On its way to the Budbee box"),
    "DELIVERED_TO_BOX": (S.READY_FOR_PICKUP, "In the Budbee box, ready for pickup"),
    "READY_FOR_PICKUP": (S.READY_FOR_PICKUP, "Ready for pickup"),
    "PICKED_UP_FROM_BOX": (S.PICKED_UP, "Collected from the Budbee box"),
    "DELIVERED": (S.DELIVERED, "Delivered"),
    "DELIVERED_TO_CONSUMER": (S.DELIVERED, "Delivered to the customer"),
    "DELIVERY_FAILED": (S.DELIVERY_FAILED, "Delivery failed"),
    "CONSUMER_NOT_HOME": (S.DELIVERY_FAILED, "Customer was not at home"),
    "RETURNED_TO_MERCHANT": (S.RETURNED_TO_SENDER, "Returned to the merchant"),
    "RETURNING_TO_MERCHANT": (S.RETURNED_TO_SENDER, "On its way back to the merchant"),
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
