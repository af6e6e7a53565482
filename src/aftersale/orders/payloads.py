"""What a shop sends about customers, orders, payments and refunds (one object each)."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field, StrictBool, model_validator

from aftersale.delivery.payloads import PickupPointIn
from aftersale.orders.ingest import (
    UPDATED_AT_HELP,
    Cents,
    CountryCode,
    CurrencyCode,
    ExternalId,
    Instant,
    Payload,
    PositiveCents,
    PositiveUnitCents,
    UnitCents,
    clean_text,
    text,
    whole,
)
from aftersale.orders.models import DeliveryMethod, Order, PaymentMethod

Language = text(5)


def _email(value: str) -> str:
    if value == "":
        return value
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError(_("is not a valid e-mail address")) from None
    return value


# Addresses Django's validator takes (a dot-atom local part; a domain of letter-digit labels
# ending in a label of letters), or nothing.
EMAIL_PATTERN = (
    r"^$|^[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"\.[A-Za-z][A-Za-z-]{0,61}[A-Za-z]$"
)
Email = Annotated[
    str,
    Field(max_length=254, json_schema_extra={"pattern": EMAIL_PATTERN}),
    AfterValidator(clean_text),
    AfterValidator(_email),
]


class CustomerIn(Payload):
    external_id: ExternalId
    email: Email | None = None
    phone: text(40) = ""
    first_name: text(100) = ""
    last_name: text(100) = ""
    language: Language | None = None
    street: text(200) = ""
    postcode: text(20) = ""
    city: text(100) = ""
    country: CountryCode = "FI"
    marketing_consent: StrictBool | None = Field(
        default=None, description="Left out, the stored consent is kept as it is."
    )


class AddressIn(Payload):
    name: text(200) = ""
    street: text(200) = ""
    postcode: text(20) = ""
    city: text(100) = ""
    country: CountryCode = "FI"
    phone: text(40) = ""


class OrderLineIn(Payload):
    external_id: ExternalId
    sku: text(100) = ""
    name: text(300, min_length=1)
    quantity: whole(0, 1_000_000) = 1
    unit_price_cents: UnitCents
    total_cents: Cents | None = Field(default=None, description="Defaults to quantity × price.")
    vat_rate_bp: whole(0, 10_000) = Field(default=2550, description="25.5 % is 2550.")
    vat_cents: Cents = 0
    unit_cost_cents: PositiveUnitCents | None = None

    def line_total(self) -> int:
        """The line's total: as sent, or quantity × unit price."""
        if self.total_cents is not None:
            return self.total_cents
        return self.quantity * self.unit_price_cents


class OrderIn(Payload):
    external_id: ExternalId
    number: text(50) = Field(default="", description="Shown to the customer; defaults to the id.")
    placed_at: Instant
    status: Order.Status = Order.Status.OPEN
    currency: CurrencyCode | None = Field(default=None, description="Defaults to the shop's.")
    subtotal_cents: Cents | None = Field(default=None, description="Defaults to the lines' sum.")
    shipping_cents: Cents = 0
    discount_cents: Cents = 0
    total_cents: Cents | None = Field(
        default=None, description="Defaults to goods + shipping − discount."
    )
    vat_cents: Cents = 0
    payment_method: PaymentMethod = PaymentMethod.CARD
    delivery_method: DeliveryMethod = DeliveryMethod.PICKUP_POINT
    carrier: text(40) = ""
    pickup_point: PickupPointIn | None = None
    shipping_address: AddressIn = Field(default_factory=AddressIn)
    marketing_consent: StrictBool = False
    customer: CustomerIn
    lines: list[OrderLineIn] = Field(default_factory=list, max_length=500)
    discount_codes: list[text(64, min_length=1)] = Field(
        default_factory=list,
        max_length=20,
        description="Discount codes used in the order: a loyalty reward's code is then used.",
    )
    payment_fingerprint: text(200) = Field(
        default="",
        description="Your payment provider's fingerprint of the card or account (kept only as "
        "a hash; referral fraud checks compare it).",
    )
    updated_at: Instant | None = Field(default=None, description=UPDATED_AT_HELP)

    @model_validator(mode="after")
    def _unique_lines(self):
        seen = set()
        for line in self.lines:
            if line.external_id in seen:
                raise ValueError(
                    _("line external_id %(id)s appears twice") % {"id": repr(line.external_id)}
                )
            seen.add(line.external_id)
        return self


class PaymentIn(Payload):
    external_id: ExternalId
    order_external_id: ExternalId
    method: PaymentMethod = PaymentMethod.CARD
    amount_cents: Cents
    currency: CurrencyCode | None = None
    paid_at: Instant


class RefundIn(Payload):
    external_id: ExternalId
    order_external_id: ExternalId
    amount_cents: PositiveCents
    currency: CurrencyCode | None = None
    reason: text(200) = ""
    refunded_at: Instant
