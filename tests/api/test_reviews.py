"""/api/v1/reviews: read, moderate, reply, and bring in reviews collected elsewhere; another
shop's review is a 404; webhooks tell the shop's systems what happened."""

from __future__ import annotations

import json

import pytest

from aftersale.reviews.models import (
    ModerationDecision,
    Review,
    ReviewSource,
    ReviewStatus,
    Verification,
)
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.factories import OrderLineFactory, ProductFactory, VariantFactory
from tests.reviews.showing import review


@pytest.fixture
def tee(shop_a):
    product = ProductFactory(shop=shop_a.shop, external_id="TEE-1")
    VariantFactory(shop=shop_a.shop, product=product, sku="TEE-M")
    return product


IMPORTED = {
    "external_id": "old-7",
    "product_external_id": "TEE-1",
    "variant_sku": "TEE-M",
    "rating": 4,
    "title": "Hyvä",
    "body": "Istuu hyvin.",
    "author_name": "Aino K.",
    "language": "fi",
    "submitted_at": "2026-10-01T10:00:00+03:00",
    "verified": True,
    "fit": "true_to_size",
}


def test_it_lists_every_status_and_filters(api, shop_a, tee):
    review(shop_a.shop, tee, 5)
    review(shop_a.shop, tee, 2, status=ReviewStatus.PENDING)
    client = api(shop_a.shop)
    everything = client.get("/reviews").json()["items"]
    assert sorted(item["status"] for item in everything) == ["pending", "published"]
    pending = client.get("/reviews", {"status": "pending"}).json()["items"]
    assert [item["rating"] for item in pending] == [2]
    assert client.get("/reviews", {"product_external_id": "NOPE"}).json()["items"] == []
    one = client.get(f"/reviews/{pending[0]['id']}").json()
    assert one["product_external_id"] == "TEE-1" and one["decisions"] == []
    assert client.get("/reviews", {"status": "lost"}).status_code == 422


def test_another_shops_review_is_404_everywhere(api, shop_a, shop_b, tee):
    mine = review(shop_a.shop, tee, 2, status=ReviewStatus.PENDING)
    other = api(shop_b.shop)
    assert other.get("/reviews").json()["items"] == []
    assert other.get(f"/reviews/{mine.pk}").status_code == 404
    assert other.post(f"/reviews/{mine.pk}/publish", {}).status_code == 404
    assert other.post(f"/reviews/{mine.pk}/reject", {"reason": "spam"}).status_code == 404
    assert other.post(f"/reviews/{mine.pk}/reply", {"reply": "Hei"}).status_code == 404
    refused = other.post("/reviews", IMPORTED)
    assert refused.status_code == 404
    assert refused.json()["errors"][0]["pointer"] == "/product_external_id"
    mine.refresh_from_db()
    assert mine.status == ReviewStatus.PENDING and mine.shop_reply == ""


def test_it_publishes_rejects_with_a_reason_and_replies(api, shop_a, tee):
    pending = review(shop_a.shop, tee, 1, status=ReviewStatus.PENDING)
    client = api(shop_a.shop)
    published = client.post(f"/reviews/{pending.pk}/publish", {"note": "ok"})
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert "API token test" in published.json()["decisions"][0]["note"]
    again = client.post(f"/reviews/{pending.pk}/publish", {})
    assert again.status_code == 409
    no_reason = client.post(f"/reviews/{pending.pk}/reject", {})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["pointer"] == "/reason"
    by_rating = client.post(f"/reviews/{pending.pk}/reject", {"reason": "low_rating"})
    assert by_rating.status_code == 422
    taken_down = client.post(f"/reviews/{pending.pk}/reject", {"reason": "personal_data"})
    assert taken_down.json()["status"] == "rejected"
    replied = client.post(f"/reviews/{pending.pk}/reply", {"reply": "Kiitos palautteesta."})
    assert replied.json()["shop_reply"] == "Kiitos palautteesta."
    actions = list(
        ModerationDecision.objects.filter(review=pending)
        .order_by("at", "id")
        .values_list("action", "reason")
    )
    assert actions == [("publish", ""), ("unpublish", "personal_data"), ("edit_reply", "")]


def test_it_brings_in_a_review_idempotently_with_its_verification(api, shop_a, tee):
    client = api(shop_a.shop)
    created = client.post("/reviews", IMPORTED)
    assert created.status_code == 201
    body = created.json()
    assert body["source"] == "imported" and body["verification"] == "imported_verified"
    assert body["verified_buyer"] is True and body["status"] == "published"
    again = client.post("/reviews", IMPORTED)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Review.objects.count() == 1
    unverified = client.post("/reviews", {**IMPORTED, "external_id": "old-8", "verified": False})
    assert unverified.json()["verification"] == Verification.IMPORTED_UNVERIFIED
    row = Review.objects.get(external_id="old-8")
    assert row.source == ReviewSource.IMPORTED and not row.verified_buyer


def test_bad_review_bodies_name_the_field(api, shop_a, tee):
    client = api(shop_a.shop)
    response = client.post("/reviews", {**IMPORTED, "rating": 6, "fit": "huge"})
    assert response.status_code == 422
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert {"/rating", "/fit"} <= pointers
    wrong_variant = client.post("/reviews", {**IMPORTED, "variant_sku": "NOPE"})
    assert wrong_variant.json()["errors"][0]["pointer"] == "/variant_sku"
    assert not Review.objects.exists()


def test_it_links_an_order_line_from_an_order_it_knows(api, shop_a, tee):
    line = OrderLineFactory(order__shop=shop_a.shop, order__external_id="A1", variant__product=tee)
    body = api(shop_a.shop).post("/reviews", {**IMPORTED, "order_external_id": "A1"}).json()
    assert body["order_external_id"] == "A1"
    assert body["customer_external_id"] == line.order.customer.external_id


def test_moderation_records_the_events_webhooks_send(api, shop_a, tee):
    pending = review(shop_a.shop, tee, 3, status=ReviewStatus.PENDING)
    other = review(shop_a.shop, tee, 3, status=ReviewStatus.PENDING)
    client = api(shop_a.shop)
    client.post(f"/reviews/{pending.pk}/publish", {})
    client.post(f"/reviews/{other.pk}/reject", {"reason": "spam"})
    kinds = list(
        Event.objects.filter(shop=shop_a.shop).order_by("id").values_list("type", "subject_id")
    )
    assert kinds == [(types.REVIEW_PUBLISHED, pending.pk), (types.REVIEW_REJECTED, other.pk)]
    rejected = Event.objects.get(type=types.REVIEW_REJECTED)
    assert json.loads(json.dumps(rejected.payload))["reason"] == "spam"
