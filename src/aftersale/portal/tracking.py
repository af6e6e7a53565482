"""The public tracking page of one parcel, reached by its unguessable link ``/t/<token>/``.

It shows where the parcel is, the pickup point with its opening hours and a map link, the
holding deadline counted down, and what to do if the customer cannot make it in time. It shows
nothing personal beyond the order number: whoever has the link sees the parcel, not the person.
"""

from __future__ import annotations

import math

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from aftersale.delivery.carriers import carrier_for, display_name
from aftersale.delivery.models import RECEIVED_STATUSES, Shipment, ShipmentStatus
from aftersale.delivery.opening_hours import weekday_hours

# What a carrier itself offers when the customer cannot pick up in time.
CARRIER_EXTENSIONS = {
    "posti": _(
        "Posti lets you extend the pickup time once, in the OmaPosti app or on posti.fi, "
        "before the deadline."
    ),
}

# The order a parcel moves through, for the progress steps at the top of the page.
PICKUP_STEPS = (
    ShipmentStatus.SHIPPED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.READY_FOR_PICKUP,
    ShipmentStatus.PICKED_UP,
)
HOME_STEPS = (ShipmentStatus.SHIPPED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED)


def carrier_key(name: str) -> str:
    carrier = carrier_for(name)
    return carrier.name if carrier else name


def steps_for(shipment: Shipment) -> list[dict]:
    steps = PICKUP_STEPS if shipment.pickup_point_id else HOME_STEPS
    current = shipment.status
    reached = set()
    for step in steps:
        reached.add(step)
        if step == current:
            break
    else:
        reached = set() if current == ShipmentStatus.CREATED else reached
    return [
        {"label": step.label, "done": step in reached, "current": step == current} for step in steps
    ]


@require_GET
def tracking_page(request, token: str):
    shipment = get_object_or_404(
        Shipment.objects.select_related("shop", "order", "pickup_point"), tracking_token=token
    )
    shop = shipment.shop
    now = timezone.now()
    days_left = None
    if shipment.held_until and shipment.status == ShipmentStatus.READY_FOR_PICKUP:
        days_left = max(0, math.ceil((shipment.held_until - now).total_seconds() / 86400) - 1)
    key = carrier_key(shipment.carrier)
    point = shipment.pickup_point
    events = list(shipment.tracking_events.order_by("-occurred_at", "-id"))
    return render(
        request,
        "portal/tracking.html",
        {
            "shop": shop,
            "shipment": shipment,
            "order": shipment.order,
            "carrier_name": display_name(shipment.carrier),
            "extension_hint": CARRIER_EXTENSIONS.get(key),
            "point": point,
            "opening_days": weekday_hours(point.opening_hours) if point else [],
            "map_url": (
                f"https://www.openstreetmap.org/?mlat={point.latitude}&mlon={point.longitude}"
                f"#map=17/{point.latitude}/{point.longitude}"
                if point and point.latitude is not None and point.longitude is not None
                else ""
            ),
            "days_left": days_left,
            "received": shipment.status in RECEIVED_STATUSES,
            "steps": steps_for(shipment),
            "events": events,
            "shop_zone": shop.time_zone,
        },
    )
