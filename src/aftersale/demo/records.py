"""The rows the simulator produces, as plain slotted dataclasses (no Django).

They reference each other by list index (``Order.customer`` is an index into
``ShopHistory.customers``); every time is whole seconds since the Unix epoch (UTC). The writer
(``aftersale.demo.writer``) turns them into database rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from aftersale.demo.carriers import PickupPoint
from aftersale.demo.catalogue import Catalogue

if TYPE_CHECKING:
    from aftersale.demo.simulation import DemoParameters, ShopSpec


@dataclass(slots=True)
class Customer:
    index: int
    external_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    language: str
    street: str
    postcode: str
    city: str
    marketing_consent: bool
    consent_at: int | None
    first_order_at: int
    taste: str
    size_rank: int
    shoe_rank: int
    spend_level: float
    return_propensity: float
    serial_returner: bool
    bracketer: bool
    chronic_unclaimer: bool
    delivery_method: str
    payment_method: str
    point_slot: int
    purchase_rate: float  # λ per year
    dropout: float  # p


@dataclass(slots=True)
class Order:
    index: int
    number: str
    customer: int
    placed_at: int
    status: str
    subtotal_cents: int
    shipping_cents: int
    discount_cents: int
    total_cents: int
    vat_cents: int
    payment_method: str
    delivery_method: str
    carrier: str
    pickup_point: int  # index into the pickup points, -1 for home delivery
    ship_name: str
    ship_street: str
    ship_postcode: str
    ship_city: str
    ship_phone: str
    marketing_consent: bool
    lines: list[int] = field(default_factory=list)
    bracketed: bool = False


@dataclass(slots=True)
class OrderLine:
    index: int
    order: int
    external_id: str
    variant: int
    sku: str
    name: str
    quantity: int
    unit_price_cents: int
    total_cents: int
    vat_rate_bp: int
    vat_cents: int
    unit_cost_cents: int
    group: str
    category: str


@dataclass(slots=True)
class Payment:
    order: int
    external_id: str
    method: str
    amount_cents: int
    paid_at: int


@dataclass(slots=True)
class Shipment:
    index: int
    order: int
    external_id: str
    carrier: str
    tracking_number: str
    status: str
    pickup_point: int
    created_at: int
    held_until: int | None
    expected_delivery: date
    shipped_at: int | None
    ready_at: int | None
    received_at: int | None
    returned_at: int | None
    events: list[int] = field(default_factory=list)


@dataclass(slots=True)
class TrackingEvent:
    shipment: int
    carrier_code: str
    status: str
    description: str
    location: str
    occurred_at: int


@dataclass(slots=True)
class ReturnRequest:
    index: int
    order: int
    customer: int
    code: str
    kind: str
    state: str
    resolution: str
    return_method: str
    fee_cents: int
    refund_cents: int | None
    return_shipping_cost_cents: int
    requested_at: int
    closed_at: int | None
    states: list[tuple[str, int]]  # every state reached, in order, with its time
    lines: list[int] = field(default_factory=list)


@dataclass(slots=True)
class ReturnLine:
    return_request: int
    order_line: int
    quantity: int
    reason: str
    comment: str
    exchange_variant: int  # -1 when none
    inspection: str


@dataclass(slots=True)
class Refund:
    order: int
    external_id: str
    amount_cents: int
    reason: str
    refunded_at: int
    return_request: int  # -1 for refunds that are not about a return


@dataclass(slots=True)
class ShopHistory:
    """One simulated shop: its catalogue, pickup points and two years of history."""

    spec: ShopSpec
    start: int
    end: int
    catalogue: Catalogue
    pickup_points: list[PickupPoint]
    customers: list[Customer] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    lines: list[OrderLine] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    tracking_events: list[TrackingEvent] = field(default_factory=list)
    returns: list[ReturnRequest] = field(default_factory=list)
    return_lines: list[ReturnLine] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)


@dataclass(slots=True)
class DemoData:
    parameters: DemoParameters
    shops: list[ShopHistory]
