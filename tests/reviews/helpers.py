"""Builders for reviews tests: orders with products, parcels received, a worker pass."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from aftersale.delivery.models import ShipmentStatus
from aftersale.flows.models import Flow
from aftersale.flows.scheduler import run_due_steps
from aftersale.flows.services import set_flow_enabled
from aftersale.flows.triggers import process_events
from aftersale.reviews.requests import plan_requests, release_due
from aftersale.timeline import types
from aftersale.timeline.services import record_event
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ShipmentFactory,
    VariantFactory,
)

RECEIPT_EVENT = {
    ShipmentStatus.DELIVERED: types.SHIPMENT_DELIVERED,
    ShipmentStatus.PICKED_UP: types.SHIPMENT_PICKED_UP,
    ShipmentStatus.READY_FOR_PICKUP: types.SHIPMENT_READY_FOR_PICKUP,
    ShipmentStatus.RETURNED_TO_SENDER: types.SHIPMENT_RETURNED_TO_SENDER,
}


def turn_on_review_requests(shop) -> Flow:
    flow = Flow.objects.get(shop=shop, key="review_request")
    set_flow_enabled(shop, flow, True)
    return flow


def order_with(shop, *products, customer=None, number=None):
    """An order of one line per product, by a customer who accepts marketing."""
    customer = customer or CustomerFactory(shop=shop, marketing_consent=True)
    fields = {"number": number} if number else {}
    order = OrderFactory(shop=shop, customer=customer, **fields)
    for product in products:
        OrderLineFactory(order=order, variant=VariantFactory(shop=shop, product=product))
    return order


def product(shop, name="Merino T-shirt", category=None):
    return ProductFactory(shop=shop, name=name, category=category)


def category(shop, name):
    return CategoryFactory(shop=shop, name=name)


def parcel(order, **fields):
    return ShipmentFactory(order=order, shop=order.shop, **fields)


def receive(shipment, status=ShipmentStatus.DELIVERED, at=None, occurred_at=None):
    """The carrier reports the parcel ``status`` (delivered, picked up, ...) now or ``at``."""
    at = at or timezone.now()
    shipment.status = status
    if status in (ShipmentStatus.DELIVERED, ShipmentStatus.PICKED_UP):
        shipment.received_at = at
    if status == ShipmentStatus.READY_FOR_PICKUP:
        shipment.ready_at = at
    shipment.save()
    record_event(
        shipment.shop,
        RECEIPT_EVENT[status],
        subject=shipment,
        customer=shipment.order.customer,
        occurred_at=occurred_at or at,
    )


def worker_pass(clock) -> None:
    """One pass of the worker a minute later (timeline readers wait for events to settle)."""
    clock.shift(timedelta(minutes=1))
    plan_requests()
    release_due()
    process_events()
    run_due_steps()
