"""WooCommerce-style order webhooks (``order.created``, ``order.updated``) mapped onto
Aftersale's order payload; refunds listed in the order become refunds."""

from __future__ import annotations

from aftersale.api.inbound.money import cents, listed, text
from aftersale.orders.ingest import FieldError, InvalidPayload

STATUSES = {"cancelled": "cancelled", "completed": "fulfilled"}
PAYMENT_METHODS = {"bacs": "bank", "cod": "cod", "stripe": "card", "paypal": "other"}


def _gmt(value) -> str | None:
    """WooCommerce's ``*_gmt`` times carry no offset; they are UTC."""
    value = text(value)
    return value + "+00:00" if value and "+" not in value and not value.endswith("Z") else value


def order_from_woocommerce(body: dict) -> dict:
    if not isinstance(body, dict) or body.get("id") in (None, ""):
        raise InvalidPayload([FieldError("/id", "is required")])
    billing = body.get("billing") if isinstance(body.get("billing"), dict) else {}
    shipping = body.get("shipping") if isinstance(body.get("shipping"), dict) else {}
    email = text(billing.get("email"))
    customer_id = text(body.get("customer_id"))
    if customer_id in ("", "0"):
        customer_id = f"email:{email}" if email else f"order:{body['id']}"
    lines = []
    for index, item in enumerate(listed(body, "line_items", "")):
        if not isinstance(item, dict):
            raise InvalidPayload([FieldError(f"/line_items/{index}", "is not an object")])
        lines.append(
            {
                "external_id": text(item.get("id")),
                "sku": text(item.get("sku")),
                "name": text(item.get("name")),
                "quantity": item.get("quantity", 1),
                "unit_price_cents": cents(item.get("price"), f"/line_items/{index}/price"),
                "total_cents": cents(item.get("total"), f"/line_items/{index}/total")
                + cents(item.get("total_tax"), f"/line_items/{index}/total_tax"),
                "vat_cents": cents(item.get("total_tax"), f"/line_items/{index}/total_tax"),
            }
        )
    return {
        "external_id": text(body["id"]),
        "number": text(body.get("number") or body["id"]),
        "placed_at": _gmt(body.get("date_created_gmt")) or body.get("date_created"),
        "status": STATUSES.get(text(body.get("status")), "open"),
        "currency": body.get("currency") or None,
        "shipping_cents": cents(body.get("shipping_total"), "/shipping_total"),
        "discount_cents": cents(body.get("discount_total"), "/discount_total"),
        "total_cents": cents(body.get("total"), "/total"),
        "vat_cents": cents(body.get("total_tax"), "/total_tax"),
        "payment_method": PAYMENT_METHODS.get(text(body.get("payment_method")), "other"),
        "delivery_method": "home",
        "shipping_address": {
            "name": " ".join(
                filter(None, [text(shipping.get("first_name")), text(shipping.get("last_name"))])
            ),
            "street": " ".join(
                filter(None, [text(shipping.get("address_1")), text(shipping.get("address_2"))])
            ),
            "postcode": text(shipping.get("postcode")),
            "city": text(shipping.get("city")),
            "country": text(shipping.get("country") or "FI").upper(),
            "phone": text(shipping.get("phone") or billing.get("phone")),
        },
        "customer": {
            "external_id": customer_id,
            "email": email or None,
            "first_name": text(billing.get("first_name")),
            "last_name": text(billing.get("last_name")),
            "phone": text(billing.get("phone")),
        },
        "lines": lines,
        "discount_codes": [
            text(entry.get("code"))
            for entry in body.get("coupon_lines") or []
            if isinstance(entry, dict) and text(entry.get("code"))
        ],
        "updated_at": _gmt(body.get("date_modified_gmt")) or None,
    }


def refunds_from_woocommerce(body: dict) -> list[dict]:
    """The refunds an order lists (WooCommerce sends them negative)."""
    refunded_at = _gmt(body.get("date_modified_gmt")) or _gmt(body.get("date_created_gmt"))
    return [
        {
            "external_id": f"woo-refund-{text(refund.get('id'))}",
            "order_external_id": text(body.get("id")),
            "amount_cents": abs(cents(refund.get("total"), f"/refunds/{index}/total")),
            "currency": body.get("currency") or None,
            "reason": text(refund.get("reason"))[:200],
            "refunded_at": refunded_at,
        }
        for index, refund in enumerate(listed(body, "refunds", ""))
        if isinstance(refund, dict) and refund.get("id") not in (None, "")
    ]
