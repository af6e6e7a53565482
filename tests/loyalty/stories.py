"""The steps the loyalty stories are told with: real ingest, real tracking, real returns."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from aftersale.delivery.services import upsert_shipment
from aftersale.loyalty import earning, vesting
from aftersale.orders.models import Order
from aftersale.orders.services import upsert_order
from aftersale.returns import services as returns
from aftersale.returns.policy import RequestedLine


def place(shop, external_id, *, placed_at: datetime, customer="c-1", lines=None, language="fi"):
    """An order through ingest (``order.placed`` at ``placed_at``). Default lines: 2 shirts at
    24.80 € (net 20.00 € each) and a cap at 12.40 € (net 10.00 €)."""
    lines = lines or [("TEE", 2, 2480, 960), ("CAP", 1, 1240, 240)]
    upsert_order(
        shop,
        {
            "external_id": external_id,
            "number": external_id,
            "placed_at": placed_at.isoformat(),
            "customer": {
                "external_id": customer,
                "email": f"{customer}@example.fi",
                "first_name": "Aino",
                "language": language,
            },
            "lines": [
                {
                    "external_id": f"{external_id}-{sku}",
                    "sku": sku,
                    "name": sku,
                    "quantity": quantity,
                    "unit_price_cents": unit,
                    "vat_cents": vat,
                }
                for sku, quantity, unit, vat in lines
            ],
        },
    )
    return Order.objects.for_shop(shop).get(external_id=external_id)


def track(shop, order, status: str, at: datetime, *, number="1"):
    """A tracking event of the order's parcel (delivered, picked_up, returned_to_sender…)."""
    upsert_shipment(
        shop,
        {
            "external_id": f"{order.external_id}-s{number}",
            "order_external_id": order.external_id,
            "carrier": "posti",
            "shipped_at": (at - timedelta(days=1)).isoformat(),
            "events": [
                {"carrier_code": status.upper(), "status": status, "occurred_at": at.isoformat()}
            ],
        },
    )


def read_timeline():
    """What the worker does every few seconds (the events have settled)."""
    return earning.process_events(now=timezone.now() + earning.SETTLE + timedelta(seconds=1))


def vest_now():
    return vesting.vest_due()


def open_return(shop, order, sku, quantity, *, resolution="refund", now=None):
    line = order.lines.get(sku=sku)
    return returns.register_return(
        shop,
        order,
        [RequestedLine(line.pk, quantity, "too_small")],
        resolution=resolution,
        method="drop_off",
        now=now or timezone.now(),
    )


def settle(shop, return_request):
    """Received, inspected as new and refunded or credited, as the customer chose."""
    returns.receive_return(shop, return_request)
    returns.inspect_return(
        shop, return_request, {line.pk: ("restock", "") for line in return_request.lines.all()}
    )
    returns.settle_return(shop, return_request)
