"""The API's answers: what one upsert did, and how orders, customers, shipments and returns
read. Request bodies are the domain payloads (``aftersale.orders.payloads`` …) themselves."""

from datetime import date, datetime

from ninja import Field, Schema

from aftersale.delivery.payloads import TrackingEventIn
from aftersale.orders.ingest import ExternalId


class ShipmentTrackingEventIn(TrackingEventIn):
    """A carrier event sent on its own (``POST /tracking-events``): it names its shipment."""

    shipment_external_id: ExternalId = Field(description="The shipment the event belongs to.")


class UpsertResult(Schema):
    external_id: str
    created: bool = Field(description="A new object was stored.")
    changed: bool = Field(description="Something was stored (false: a replay, nothing changed).")
    stale: bool = Field(
        False,
        description="Older than the stored version (by updated_at): acknowledged and ignored.",
    )


class BatchResult(Schema):
    items: list[UpsertResult]
    created: int
    updated: int
    unchanged: int


class AddressOut(Schema):
    name: str
    street: str
    postcode: str
    city: str
    country: str
    phone: str


class PickupPointOut(Schema):
    carrier: str
    code: str
    name: str
    kind: str
    street: str
    postcode: str
    city: str
    country: str


class OrderLineOut(Schema):
    external_id: str
    sku: str
    name: str
    quantity: int
    unit_price_cents: int
    total_cents: int
    vat_rate_bp: int
    vat_cents: int
    unit_cost_cents: int | None


class CustomerOut(Schema):
    external_id: str
    email: str
    phone: str
    first_name: str
    last_name: str
    language: str
    street: str
    postcode: str
    city: str
    country: str
    marketing_consent: bool
    first_order_at: datetime | None
    created_at: datetime
    updated_at: datetime


class AddressProblemOut(Schema):
    code: str
    field: str
    severity: str
    message: str
    params: dict


class AddressCheckOut(Schema):
    ok: bool
    needs_confirmation: bool
    problems: list[AddressProblemOut]


class OrderOut(Schema):
    external_id: str
    number: str
    placed_at: datetime
    status: str
    currency: str
    subtotal_cents: int
    shipping_cents: int
    discount_cents: int
    total_cents: int
    vat_cents: int
    payment_method: str
    delivery_method: str
    carrier: str
    pickup_point: PickupPointOut | None
    shipping_address: AddressOut
    marketing_consent: bool
    customer_external_id: str
    address_check: AddressCheckOut | None = Field(
        None, description="Problems found in the shipping address at ingest; null if unchecked."
    )
    lines: list[OrderLineOut]
    created_at: datetime
    updated_at: datetime


class TrackingEventOut(Schema):
    carrier_code: str
    status: str
    description: str
    location: str
    occurred_at: datetime


class ShipmentOut(Schema):
    external_id: str
    order_external_id: str
    carrier: str
    tracking_number: str
    status: str
    pickup_point: PickupPointOut | None
    held_until: datetime | None
    expected_delivery: date | None
    shipped_at: datetime | None
    ready_at: datetime | None
    received_at: datetime | None
    returned_at: datetime | None
    events: list[TrackingEventOut]
    created_at: datetime
    updated_at: datetime


class ReturnLineOut(Schema):
    order_line_external_id: str
    sku: str
    quantity: int
    reason: str
    comment: str


class ReturnOut(Schema):
    code: str
    order_external_id: str
    customer_external_id: str
    kind: str
    state: str
    resolution: str
    fee_cents: int
    refund_cents: int | None
    requested_at: datetime
    closed_at: datetime | None
    lines: list[ReturnLineOut]
    created_at: datetime
    updated_at: datetime


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class ShipmentPage(Schema):
    items: list[ShipmentOut]
    next_cursor: str | None


class ReturnPage(Schema):
    items: list[ReturnOut]
    next_cursor: str | None
