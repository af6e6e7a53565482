"""Updates delivered out of order: one older than the stored version (by the sender's
``updated_at``) is acknowledged and ignored, and the integration log says so."""

from aftersale.api.models import InboundWebhook
from aftersale.delivery.models import Shipment
from aftersale.orders.models import Order
from tests.api.samples import order_payload
from tests.api.test_inbound_webhooks import SHOPIFY_ORDER, WOO_ORDER, shopify, woo

OPEN = {**SHOPIFY_ORDER, "updated_at": "2026-11-02T10:00:00+02:00"}
CANCELLED = {**OPEN, "cancelled_at": "2026-11-03T09:00:00+02:00",
             "updated_at": "2026-11-03T09:00:00+02:00"}  # fmt: skip


def test_a_stale_signed_shopify_webhook_does_not_reopen_a_cancelled_order(client, shop_a):
    shopify(client, shop_a.shop, "orders/create", OPEN)
    assert shopify(client, shop_a.shop, "orders/cancelled", CANCELLED).status_code == 200
    replay = shopify(client, shop_a.shop, "orders/updated", OPEN)
    assert replay.status_code == 200
    assert replay.json()["order"] == {
        "external_id": str(OPEN["id"]), "created": False, "changed": False, "stale": True,
    }  # fmt: skip
    order = Order.objects.for_shop(shop_a.shop).get()
    assert order.status == Order.Status.CANCELLED
    assert order.source_updated_at.isoformat() == "2026-11-03T07:00:00+00:00"
    log = list(InboundWebhook.objects.for_shop(shop_a.shop).order_by("id"))
    assert [(e.topic, e.outcome) for e in log] == [
        ("orders/create", "stored"), ("orders/cancelled", "stored"), ("orders/updated", "stale"),
    ]  # fmt: skip


def test_the_same_update_again_is_a_harmless_repeat(client, shop_a):
    shopify(client, shop_a.shop, "orders/create", OPEN)
    again = shopify(client, shop_a.shop, "orders/updated", OPEN).json()["order"]
    assert (again["changed"], again["stale"]) == (False, False)
    assert InboundWebhook.objects.for_shop(shop_a.shop).latest("id").outcome == "unchanged"


def test_a_stale_woocommerce_webhook_changes_neither_order_nor_refunds(client, shop_a):
    newer = {**WOO_ORDER, "status": "cancelled", "date_modified_gmt": "2026-11-06T08:00:00"}
    woo(client, shop_a.shop, "order.updated", newer)
    older = {**WOO_ORDER, "refunds": [{"id": 999, "total": "-1.00"}]}
    response = woo(client, shop_a.shop, "order.updated", older)
    assert (response.status_code, response.json()["order"]["stale"]) == (200, True)
    assert response.json()["refunds"] == []
    assert Order.objects.for_shop(shop_a.shop).get().status == Order.Status.CANCELLED


def test_without_updated_at_updates_apply_in_the_order_received(api, shop_a):
    client = api(shop_a.shop)
    client.post("/orders", order_payload(status="cancelled"))
    assert client.post("/orders", order_payload(status="open")).json()["changed"] is True
    assert Order.objects.for_shop(shop_a.shop).get().status == Order.Status.OPEN


def test_an_older_api_order_update_is_ignored(api, shop_a):
    client = api(shop_a.shop)
    client.post("/orders", order_payload(status="cancelled", updated_at="2026-11-03T10:00:00Z"))
    response = client.post(
        "/orders", order_payload(status="open", updated_at="2026-11-02T10:00:00Z")
    )
    assert (response.status_code, response.json()["stale"]) == (200, True)
    assert Order.objects.for_shop(shop_a.shop).get().status == Order.Status.CANCELLED


def test_an_older_shipment_update_is_ignored(api, shop_a):
    client = api(shop_a.shop)
    client.post("/orders", order_payload())
    shipment = {"external_id": "s1", "order_external_id": "1001", "carrier": "posti"}
    client.post("/shipments", {**shipment, "tracking_number": "NEW",
                               "updated_at": "2026-11-04T10:00:00Z"})  # fmt: skip
    response = client.post(
        "/shipments/batch",
        {"items": [{**shipment, "tracking_number": "OLD", "updated_at": "2026-11-03T10:00:00Z"}]},
    )
    assert response.json()["items"][0]["stale"] is True
    assert response.json()["unchanged"] == 1
    assert Shipment.objects.for_shop(shop_a.shop).get().tracking_number == "NEW"


def test_the_owner_reads_the_log_of_received_webhooks(client, login, shop_a, shop_b):
    shopify(client, shop_a.shop, "orders/create", OPEN)
    shopify(client, shop_a.shop, "orders/cancelled", CANCELLED)
    shopify(client, shop_a.shop, "orders/updated", OPEN)
    body = login(shop_a.owner).get("/integrations/inbound/").content.decode()
    assert "ignored: older than the stored version" in body
    assert str(OPEN["id"]) in body
    theirs = login(shop_b.owner).get("/integrations/inbound/").content.decode()
    assert str(OPEN["id"]) not in theirs
    assert "No webhooks received yet." in theirs
    assert login(shop_a.staff).get("/integrations/inbound/").status_code in (403, 404)
