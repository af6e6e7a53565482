"""review.submitted, review.published and review.rejected reach a subscribed URL; imported
history does not."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from aftersale.reviews import services
from aftersale.reviews.csv_import import ReviewRow, store_reviews
from aftersale.reviews.models import ReviewStatus
from aftersale.webhooks.delivery import SETTLE, queue_new_events, send_due_deliveries
from aftersale.webhooks.services import EVENT_TYPES, add_webhook_endpoint
from tests.factories import ProductFactory
from tests.reviews.showing import review
from tests.webhooks.test_delivery import Receiver


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def hook():
    receiver = Receiver([])
    yield receiver
    receiver.close()


def _deliver():
    later = timezone.now() + SETTLE + timedelta(seconds=1)
    queue_new_events(now=later)
    send_due_deliveries(now=later)


def _row(external_id, *, days_ago):
    written = timezone.now() - timedelta(days=days_ago)
    return ReviewRow(
        line=0, external_id=external_id, product_id="TEE-1", sku="", rating=4, title="",
        body="Hyvä", author="Aino", language="fi", submitted_at=written, published_at=None,
        status="published", verified=False, order_id="", customer_id="", fit="", reply="",
        replied_at=None,
    )  # fmt: skip


def test_review_events_can_be_subscribed_to():
    assert {"review.submitted", "review.published", "review.rejected"} <= set(EVENT_TYPES)


def test_moderation_and_imports_reach_the_subscribed_url(shop_a, shop_b, hook):
    shop = shop_a.shop
    add_webhook_endpoint(
        shop, url=hook.url,
        event_types=["review.submitted", "review.published", "review.rejected"],
    )  # fmt: skip
    tee = ProductFactory(shop=shop, external_id="TEE-1")
    pending = review(shop, tee, 2, status=ReviewStatus.PENDING)
    spam = review(shop, tee, 5, status=ReviewStatus.PENDING)
    services.publish(shop, pending.pk, actor=shop_a.owner)
    services.reject(shop, spam.pk, reason="spam", actor=shop_a.owner)
    store_reviews(shop, [_row("new-1", days_ago=0), _row("old-1", days_ago=400)])
    foreign = review(shop_b.shop, ProductFactory(shop=shop_b.shop), 1, status=ReviewStatus.PENDING)
    services.publish(shop_b.shop, foreign.pk, actor=shop_b.owner)
    _deliver()
    sent = [json.loads(body) for _, body in hook.requests]
    kinds = sorted((m["type"], m["subject"]["id"]) for m in sent)
    new = next(m for m in sent if m["data"].get("external_id") == "new-1")["subject"]["id"]
    assert kinds == sorted(
        [
            ("review.published", pending.pk),
            ("review.rejected", spam.pk),
            ("review.submitted", new),
            ("review.published", new),
        ]
    )
    rejected = next(m for m in sent if m["type"] == "review.rejected")
    assert rejected["data"]["reason"] == "spam"
    assert all(m["shop"] == "pohjola" for m in sent)
