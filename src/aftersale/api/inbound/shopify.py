"""Shopify-style webhooks (``orders/create``, ``orders/updated``, ``refunds/create``) mapped
onto Aftersale's order and refund payloads."""

from __future__ import annotations

from aftersale.api.inbound.money import cents, listed, text, total
from aftersale.orders.ingest import FieldError, InvalidPayload


def _need(body: dict, key: str):
    if not isinstance(body, dict) or body.get(key) in (None, ""):
        raise InvalidPayload([FieldError(f"/{key}", "is required")])
    return body[key]


def order_from_shopify(body: dict) -> dict:
    external_id = text(_need(body, "id"))
    customer = body.get("customer") or {}
    if not isinstance(customer, dict):
        customer = {}
    address = body.get("shipping_address") or {}
    if not isinstance(address, dict):
        address = {}
    email = text(body.get("email") or customer.get("email"))
    consent = customer.get("email_marketing_consent") or {}
    accepts = body.get("buyer_accepts_marketing")
    if isinstance(consent, dict) and consent.get("state"):
        accepts = consent["state"] == "subscribed"
    shipping = total(
        (
            cents(line.get("price"), f"/shipping_lines/{i}/price")
            for i, line in enumerate(listed(body, "shipping_lines", ""))
            if isinstance(line, dict)
        ),
        "/shipping_lines",
    )
    lines = []
    for index, item in enumerate(listed(body, "line_items", "")):
        if not isinstance(item, dict):
            raise InvalidPayload([FieldError(f"/line_items/{index}", "is not an object")])
        tax = total(
            (
                cents(t.get("price"), f"/line_items/{index}/tax_lines/{j}/price")
                for j, t in enumerate(listed(item, "tax_lines", f"/line_items/{index}"))
                if isinstance(t, dict)
            ),
            f"/line_items/{index}/tax_lines",
        )
        lines.append(
            {
                "external_id": text(item.get("id")),
                "sku": text(item.get("sku")),
                "name": text(item.get("name") or item.get("title")),
                "quantity": item.get("quantity", 1),
                "unit_price_cents": cents(item.get("price"), f"/line_items/{index}/price"),
                "vat_cents": tax,
            }
        )
    status = "open"
    if body.get("cancelled_at"):
        status = "cancelled"
    elif body.get("fulfillment_status") == "fulfilled":
        status = "fulfilled"
    customer_id = text(customer.get("id")) or (
        f"email:{email}" if email else f"order:{external_id}"
    )
    return {
        "external_id": external_id,
        "number": text(body.get("name") or body.get("order_number") or external_id).lstrip("#"),
        "placed_at": body.get("created_at"),
        "status": status,
        "currency": body.get("currency") or None,
        "subtotal_cents": cents(body.get("subtotal_price"), "/subtotal_price"),
        "shipping_cents": shipping,
        "discount_cents": cents(body.get("total_discounts"), "/total_discounts"),
        "total_cents": cents(body.get("total_price"), "/total_price"),
        "vat_cents": cents(body.get("total_tax"), "/total_tax"),
        "delivery_method": "home" if address else "store",
        "shipping_address": {
            "name": text(address.get("name")),
            "street": " ".join(
                filter(None, [text(address.get("address1")), text(address.get("address2"))])
            ),
            "postcode": text(address.get("zip")),
            "city": text(address.get("city")),
            "country": text(address.get("country_code") or "FI").upper(),
            "phone": text(address.get("phone")),
        },
        "marketing_consent": bool(accepts),
        "customer": {
            "external_id": customer_id,
            "email": email or None,
            "first_name": text(customer.get("first_name") or address.get("first_name")),
            "last_name": text(customer.get("last_name") or address.get("last_name")),
            "phone": text(customer.get("phone")),
            **({"marketing_consent": bool(accepts)} if accepts is not None else {}),
        },
        "lines": lines,
        "discount_codes": [
            text(entry.get("code"))
            for entry in body.get("discount_codes") or []
            if isinstance(entry, dict) and text(entry.get("code"))
        ],
        "updated_at": body.get("updated_at") or None,
    }


def refund_from_shopify(body: dict) -> dict:
    external_id = text(_need(body, "id"))
    order_id = text(_need(body, "order_id"))
    transactions = [
        t
        for t in listed(body, "transactions", "")
        if isinstance(t, dict) and t.get("kind", "refund") == "refund"
        and t.get("status", "success") == "success"
    ]  # fmt: skip
    amount = total(
        (cents(t.get("amount"), f"/transactions/{i}/amount") for i, t in enumerate(transactions)),
        "/transactions",
    )
    currency = next((t.get("currency") for t in transactions if t.get("currency")), None)
    return {
        "external_id": external_id,
        "order_external_id": order_id,
        "amount_cents": amount,
        "currency": currency,
        "reason": text(body.get("note"))[:200],
        "refunded_at": body.get("processed_at") or body.get("created_at"),
    }
