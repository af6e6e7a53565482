"""Shopify- and WooCommerce-style webhooks: verified by HMAC, stored through the same services."""

import base64
import hashlib
import hmac
import json

import pytest

from aftersale.orders.models import Order, Refund

SHOPIFY_ORDER = {
    "id": 820982911946154508,
    "name": "#9999",
    "email": "jon@example.com",
    "created_at": "2026-11-02T10:00:00+02:00",
    "currency": "EUR",
    "subtotal_price": "398.00",
    "total_price": "403.00",
    "total_tax": "80.00",
    "total_discounts": "0.00",
    "buyer_accepts_marketing": True,
    "shipping_lines": [{"price": "5.00"}],
    "customer": {"id": 115310627314723954, "email": "jon@example.com", "first_name": "Jon"},
    "shipping_address": {"name": "Jon Snow", "address1": "Mannerheimintie 1", "zip": "00100",
                         "city": "Helsinki", "country_code": "FI"},
    "line_items": [{"id": 866550311766439020, "sku": "IPOD", "name": "IPod Nano", "quantity": 2,
                    "price": "199.00", "tax_lines": [{"price": "80.00", "rate": 0.255}]}],
}  # fmt: skip
SHOPIFY_REFUND = {
    "id": 509562969,
    "order_id": 820982911946154508,
    "created_at": "2026-11-10T10:00:00+02:00",
    "note": "Too small",
    "transactions": [
        {"amount": "199.00", "currency": "EUR", "kind": "refund", "status": "success"}
    ],
}
WOO_ORDER = {
    "id": 727,
    "number": "727",
    "status": "processing",
    "currency": "EUR",
    "date_created_gmt": "2026-11-02T08:00:00",
    "date_modified_gmt": "2026-11-05T08:00:00",
    "total": "29.35",
    "total_tax": "1.35",
    "shipping_total": "10.00",
    "discount_total": "0.00",
    "customer_id": 0,
    "payment_method": "bacs",
    "billing": {"first_name": "Aino", "last_name": "V", "email": "aino@example.fi"},
    "shipping": {"first_name": "Aino", "last_name": "V", "address_1": "Kauppakatu 3",
                 "city": "Tampere", "postcode": "33100", "country": "FI"},
    "line_items": [{"id": 315, "name": "Woo Single", "sku": "W1", "quantity": 2, "price": 3,
                    "total": "6.00", "total_tax": "0.45"}],
    "refunds": [{"id": 726, "total": "-10.00", "reason": "Late"}],
}  # fmt: skip


def signed(secret, body):
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def shopify(client, shop, topic, payload, signature=None):
    body = json.dumps(payload).encode()
    headers = {"HTTP_X_SHOPIFY_TOPIC": topic}
    sig = signature if signature is not None else signed(shop.webhook_secret, body)
    if sig:
        headers["HTTP_X_SHOPIFY_HMAC_SHA256"] = sig
    return client.post(
        f"/api/v1/webhooks/shopify/{shop.slug}", body, content_type="application/json", **headers
    )


def woo(client, shop, topic, payload, signature=None):
    body = json.dumps(payload).encode()
    sig = signature if signature is not None else signed(shop.webhook_secret, body)
    return client.post(
        f"/api/v1/webhooks/woocommerce/{shop.slug}",
        body,
        content_type="application/json",
        HTTP_X_WC_WEBHOOK_TOPIC=topic,
        HTTP_X_WC_WEBHOOK_SIGNATURE=sig,
    )


def test_a_shopify_order_and_refund_are_stored(client, shop_a):
    response = shopify(client, shop_a.shop, "orders/create", SHOPIFY_ORDER)
    assert response.status_code == 200, response.content
    order = Order.objects.for_shop(shop_a.shop).get(external_id="820982911946154508")
    assert (order.number, order.total_cents, order.shipping_cents) == ("9999", 40300, 500)
    assert order.lines.get().unit_price_cents == 19900
    assert order.customer.marketing_consent is True
    assert shopify(client, shop_a.shop, "refunds/create", SHOPIFY_REFUND).status_code == 200
    refund = Refund.objects.for_shop(shop_a.shop).get()
    assert (refund.amount_cents, refund.reason) == (19900, "Too small")


def test_a_replayed_shopify_webhook_changes_nothing(client, shop_a):
    shopify(client, shop_a.shop, "orders/create", SHOPIFY_ORDER)
    again = shopify(client, shop_a.shop, "orders/updated", SHOPIFY_ORDER).json()
    assert again["order"] == {"external_id": "820982911946154508", "created": False,
                              "changed": False, "stale": False}  # fmt: skip
    assert Order.objects.count() == 1


@pytest.mark.parametrize("signature", ["", "bm9wZQ==", "not base64 at all"])
def test_a_bad_or_missing_signature_is_refused_and_nothing_stored(client, shop_a, signature):
    response = shopify(client, shop_a.shop, "orders/create", SHOPIFY_ORDER, signature=signature)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert Order.objects.count() == 0


def test_another_shops_secret_does_not_work(client, shop_a, shop_b):
    body = json.dumps(SHOPIFY_ORDER).encode()
    response = shopify(
        client,
        shop_a.shop,
        "orders/create",
        SHOPIFY_ORDER,
        signed(shop_b.shop.webhook_secret, body),
    )
    assert response.status_code == 401
    assert Order.objects.count() == 0


def test_an_unknown_shop_is_refused(client, db):
    response = client.post(
        "/api/v1/webhooks/shopify/nope", b"{}", content_type="application/json",
        HTTP_X_SHOPIFY_HMAC_SHA256="x",
    )  # fmt: skip
    assert response.status_code == 401


def test_a_signed_but_broken_order_names_the_field(client, shop_a):
    broken = {**SHOPIFY_ORDER, "total_price": "lots"}
    response = shopify(client, shop_a.shop, "orders/create", broken)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/total_price"


def test_a_woocommerce_order_with_refund_is_stored(client, shop_a):
    response = woo(client, shop_a.shop, "order.created", WOO_ORDER)
    assert response.status_code == 200, response.content
    order = Order.objects.for_shop(shop_a.shop).get(external_id="727")
    assert (order.total_cents, order.payment_method) == (2935, "bank")
    assert order.placed_at.isoformat() == "2026-11-02T08:00:00+00:00"
    assert order.customer.external_id == "email:aino@example.fi"
    assert Refund.objects.get().amount_cents == 1000


def test_a_woocommerce_ping_is_accepted(client, shop_a):
    body = b"webhook_id=12"
    response = client.post(
        f"/api/v1/webhooks/woocommerce/{shop_a.shop.slug}", body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_WC_WEBHOOK_SIGNATURE=signed(shop_a.shop.webhook_secret, body),
    )  # fmt: skip
    assert response.status_code == 200


def test_a_bad_woocommerce_signature_is_refused(client, shop_a):
    assert woo(client, shop_a.shop, "order.created", WOO_ORDER, signature="eA==").status_code == 401
    assert Order.objects.count() == 0
