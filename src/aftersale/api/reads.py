"""Read endpoints: orders, customers, shipments and returns of the token's shop.

Lists are ordered by update time and paged with an opaque cursor; ``updated_since`` lets a
client fetch only what changed since its last sync. A foreign shop's object is a 404. Answers
are written by ``aftersale.api.dumping`` without validating every row again.
"""

from django.db.models import Prefetch
from ninja import Query, Router, Schema
from pydantic import Field

from aftersale.api.dumping import json_response
from aftersale.api.pagination import page
from aftersale.api.problems import not_found
from aftersale.api.schemas import (
    CustomerOut,
    CustomerPage,
    OrderOut,
    OrderPage,
    ReturnOut,
    ReturnPage,
    ShipmentOut,
    ShipmentPage,
)
from aftersale.delivery.models import Shipment, TrackingEvent
from aftersale.orders.ingest import Instant
from aftersale.orders.models import Customer, Order
from aftersale.returns.models import ReturnLine, ReturnRequest


class ListFilters(Schema):
    updated_since: Instant | None = Field(None, description="Only objects changed at or after.")
    updated_before: Instant | None = Field(None, description="Only objects changed before.")
    cursor: str | None = Field(None, max_length=200, description="next_cursor of the last page.")
    limit: int = Field(100, ge=1, le=500)


class ExternalIdFilters(ListFilters):
    external_id: str | None = Field(
        None,
        max_length=100,
        description="Only the object with this external id: the query form of a read by id, "
        "for any id (one ending in /flags, say).",
    )


def _pickup_point(point):
    if point is None:
        return None
    return {
        "carrier": point.carrier,
        "code": point.code,
        "name": point.name,
        "kind": point.kind,
        "street": point.street,
        "postcode": point.postcode,
        "city": point.city,
        "country": point.country,
    }


def order_out(order: Order) -> dict:
    return {
        **{
            name: getattr(order, name)
            for name in (
                "external_id", "number", "placed_at", "status", "currency", "subtotal_cents",
                "shipping_cents", "discount_cents", "total_cents", "vat_cents", "payment_method",
                "delivery_method", "carrier", "marketing_consent", "created_at", "updated_at",
            )
        },
        "pickup_point": _pickup_point(order.pickup_point),
        "shipping_address": {
            "name": order.ship_name,
            "street": order.ship_street,
            "postcode": order.ship_postcode,
            "city": order.ship_city,
            "country": order.ship_country,
            "phone": order.ship_phone,
        },
        "customer_external_id": order.customer.external_id,
        "address_check": order.address_check or None,
        "lines": [
            {
                name: getattr(line, name)
                for name in (
                    "external_id", "sku", "name", "quantity", "unit_price_cents", "total_cents",
                    "vat_rate_bp", "vat_cents", "unit_cost_cents",
                )
            }
            for line in order.lines.all()
        ],
    }  # fmt: skip


def shipment_out(shipment: Shipment) -> dict:
    return {
        **{
            name: getattr(shipment, name)
            for name in (
                "external_id", "carrier", "tracking_number", "status", "held_until",
                "expected_delivery", "shipped_at", "ready_at", "received_at", "returned_at",
                "created_at", "updated_at",
            )
        },
        "order_external_id": shipment.order.external_id,
        "pickup_point": _pickup_point(shipment.pickup_point),
        "events": [
            {
                "carrier_code": e.carrier_code,
                "status": e.status,
                "description": e.description,
                "location": e.location,
                "occurred_at": e.occurred_at,
            }
            for e in shipment.tracking_events.all()
        ],
    }  # fmt: skip


def return_out(request: ReturnRequest) -> dict:
    return {
        **{
            name: getattr(request, name)
            for name in (
                "code", "kind", "state", "resolution", "fee_cents", "refund_cents", "requested_at",
                "closed_at", "created_at", "updated_at",
            )
        },
        "order_external_id": request.order.external_id,
        "customer_external_id": request.customer.external_id,
        "lines": [
            {
                "order_line_external_id": line.order_line.external_id,
                "sku": line.order_line.sku,
                "quantity": line.quantity,
                "reason": line.reason,
                "comment": line.comment,
            }
            for line in request.lines.all()
        ],
    }  # fmt: skip


def _orders(shop):
    return (
        Order.objects.for_shop(shop)
        .select_related("customer", "pickup_point")
        .prefetch_related("lines")
    )


def _shipments(shop):
    return (
        Shipment.objects.for_shop(shop)
        .select_related("order", "pickup_point")
        .prefetch_related(
            Prefetch("tracking_events", TrackingEvent.objects.order_by("occurred_at"))
        )
    )


def _returns(shop):
    return (
        ReturnRequest.objects.for_shop(shop)
        .select_related("order", "customer")
        .prefetch_related(Prefetch("lines", ReturnLine.objects.select_related("order_line")))
    )


def _one(queryset, **lookup):
    """The one object of the token's shop, or 404 (also for keys no database can hold)."""
    for value in lookup.values():
        if "\x00" in value or len(value) > 100:
            raise not_found()
    row = queryset.filter(**lookup).first()
    if row is None:
        raise not_found()
    return row


def _page(queryset, filters: ListFilters, serialize, schema):
    external_id = getattr(filters, "external_id", None)
    if external_id is not None:
        queryset = queryset.filter(external_id=external_id.replace("\x00", ""))
    rows, next_cursor = page(
        queryset,
        cursor=filters.cursor,
        limit=filters.limit,
        updated_since=filters.updated_since,
        updated_before=filters.updated_before,
    )
    return json_response(
        schema, {"items": [serialize(row) for row in rows], "next_cursor": next_cursor}
    )


def list_orders(request, filters: Query[ExternalIdFilters]):
    return _page(_orders(request.shop), filters, order_out, OrderPage)


def get_order(request, external_id: str):
    return json_response(OrderOut, order_out(_one(_orders(request.shop), external_id=external_id)))


def list_customers(request, filters: Query[ExternalIdFilters]):
    return _page(Customer.objects.for_shop(request.shop), filters, _customer_out, CustomerPage)


def get_customer(request, external_id: str):
    customer = _one(Customer.objects.for_shop(request.shop), external_id=external_id)
    return json_response(CustomerOut, _customer_out(customer))


def _customer_out(customer: Customer) -> dict:
    return {name: getattr(customer, name) for name in CustomerOut.model_fields}


def list_shipments(request, filters: Query[ExternalIdFilters]):
    return _page(_shipments(request.shop), filters, shipment_out, ShipmentPage)


def get_shipment(request, external_id: str):
    shipment = _one(_shipments(request.shop), external_id=external_id)
    return json_response(ShipmentOut, shipment_out(shipment))


def list_returns(request, filters: Query[ListFilters]):
    return _page(_returns(request.shop), filters, return_out, ReturnPage)


def get_return(request, code: str):
    return json_response(ReturnOut, return_out(_one(_returns(request.shop), code=code)))


def add_read_endpoints(router: Router) -> None:
    """Register the reads; after the writes, so that /orders/batch is not read as an id, and
    after /customers/{id}/flags. An id may hold any character, "/" included (sent as %2F),
    hence the ``path`` converter."""
    router.get("/orders", response=OrderPage, tags=["orders"], summary="List orders")(list_orders)
    router.get(
        "/orders/{path:external_id}", response=OrderOut, tags=["orders"], summary="Read an order"
    )(get_order)
    router.get("/customers", response=CustomerPage, tags=["customers"], summary="List customers")(
        list_customers
    )
    router.get(
        "/customers/{path:external_id}",
        response=CustomerOut,
        tags=["customers"],
        summary="Read a customer",
    )(get_customer)
    router.get("/shipments", response=ShipmentPage, tags=["shipments"], summary="List shipments")(
        list_shipments
    )
    router.get(
        "/shipments/{path:external_id}",
        response=ShipmentOut,
        tags=["shipments"],
        summary="Read a shipment",
    )(get_shipment)
    router.get("/returns", response=ReturnPage, tags=["returns"], summary="List returns")(
        list_returns
    )
    router.get(
        "/returns/{path:code}", response=ReturnOut, tags=["returns"], summary="Read a return"
    )(get_return)
