"""Moderation in the back-office: the queue (waiting first), publish, reject only with a reason
from the fixed list, take down, the public reply, the audit views; never by rating."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from aftersale.reviews import services
from aftersale.reviews.models import ModerationDecision, Review, ReviewStatus, Verification
from aftersale.timeline.models import Event
from tests.reviews.helpers import product


def review(shop, name="Beanie", rating=3, status=ReviewStatus.PENDING, **fields):
    return Review.objects.create(
        shop=shop,
        product=product(shop, name),
        author_name=fields.pop("author_name", "Aino V."),
        language="fi",
        rating=rating,
        body=fields.pop("body", "Lämmin pipo."),
        verification=Verification.ORDER,
        verified_buyer=True,
        status=status,
        submitted_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def staff_client(login, shop_a):
    return login(shop_a.staff)


def test_the_queue_shows_waiting_reviews_first_and_has_no_rating_filter(staff_client, shop):
    review(shop, "Published scarf", status=ReviewStatus.PUBLISHED)
    review(shop, "Waiting mittens")
    html = staff_client.get("/reviews/").content.decode()
    assert html.index("Waiting mittens") < html.index("Published scarf")
    assert 'name="rating"' not in html and "rating=" not in html
    # A rating in the address changes nothing: there is no such filter.
    low = review(shop, "Low socks", rating=1)
    assert "Low socks" in staff_client.get("/reviews/?rating=5").content.decode()
    assert low.pk


def test_publishing_records_who_and_when(staff_client, shop, shop_a):
    waiting = review(shop)
    response = staff_client.post(f"/reviews/{waiting.pk}/publish/")
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == ReviewStatus.PUBLISHED and waiting.published_at is not None
    decision = ModerationDecision.objects.get()
    assert (decision.action, decision.actor, decision.reason) == ("publish", shop_a.staff, "")
    assert Event.objects.filter(type="review.published", subject_id=waiting.pk).exists()


def test_rejecting_needs_a_reason_from_the_list(staff_client, shop):
    waiting = review(shop, rating=1)
    staff_client.cookies["django_language"] = "en"
    response = staff_client.post(f"/reviews/{waiting.pk}/reject/", {"reason": ""})
    assert response.status_code == 400
    assert "Choose the reason for rejecting." in response.content.decode()
    response = staff_client.post(f"/reviews/{waiting.pk}/reject/", {"reason": "bad_rating"})
    assert response.status_code == 400
    waiting.refresh_from_db()
    assert waiting.status == ReviewStatus.PENDING and not ModerationDecision.objects.exists()

    staff_client.post(
        f"/reviews/{waiting.pk}/reject/", {"reason": "personal_data", "note": "Phone number"}
    )
    waiting.refresh_from_db()
    assert waiting.status == ReviewStatus.REJECTED
    decision = ModerationDecision.objects.get()
    assert (decision.action, decision.reason, decision.note) == (
        "reject",
        "personal_data",
        "Phone number",
    )


def test_the_service_and_the_database_refuse_a_rejection_without_reason(shop):
    waiting = review(shop)
    with pytest.raises(services.ModerationRefused):
        services.reject(shop, waiting.pk, reason="", actor=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ModerationDecision.objects.create(
            shop=shop, review=waiting, action="reject", reason="", at=timezone.now()
        )


def test_taking_a_published_review_down_is_recorded_with_its_reason(staff_client, shop):
    shown = review(shop, status=ReviewStatus.PUBLISHED, published_at=timezone.now())
    staff_client.post(f"/reviews/{shown.pk}/reject/", {"reason": "spam"})
    shown.refresh_from_db()
    assert shown.status == ReviewStatus.REJECTED and shown.published_at is None
    assert ModerationDecision.objects.get().action == "unpublish"
    assert Event.objects.filter(type="review.unpublished", payload__reason="spam").exists()


def test_bulk_reject_needs_a_reason_and_bulk_publish_does_not_look_at_ratings(staff_client, shop):
    low, high = review(shop, "Low", rating=1), review(shop, "High", rating=5)
    ids = {"ids": [str(low.pk), str(high.pk)]}
    staff_client.post("/reviews/bulk/", {**ids, "action": "reject", "reason": ""})
    assert set(Review.objects.values_list("status", flat=True)) == {"pending"}
    staff_client.post("/reviews/bulk/", {**ids, "action": "publish"})
    assert set(Review.objects.values_list("status", flat=True)) == {"published"}
    staff_client.post("/reviews/bulk/", {**ids, "action": "reject", "reason": "duplicate"})
    assert set(Review.objects.values_list("status", flat=True)) == {"rejected"}
    assert ModerationDecision.objects.filter(action="unpublish", reason="duplicate").count() == 2


def test_the_shops_reply_is_saved_and_logged(staff_client, shop):
    shown = review(shop, status=ReviewStatus.PUBLISHED, published_at=timezone.now())
    staff_client.post(f"/reviews/{shown.pk}/reply/", {"reply": "Kiitos palautteesta!"})
    shown.refresh_from_db()
    assert shown.shop_reply == "Kiitos palautteesta!" and shown.replied_at is not None
    assert ModerationDecision.objects.get().action == "edit_reply"
    staff_client.post(f"/reviews/{shown.pk}/reply/", {"reply": ""})
    shown.refresh_from_db()
    assert shown.shop_reply == "" and shown.replied_at is None


def test_the_review_and_the_shops_log_show_the_decisions(staff_client, shop):
    waiting = review(shop, "Gloves")
    staff_client.post(f"/reviews/{waiting.pk}/reject/", {"reason": "not_about_product"})
    staff_client.cookies["django_language"] = "en"
    detail = staff_client.get(f"/reviews/{waiting.pk}/").content.decode()
    assert "Not about the product" in detail and "a-staff" in detail
    log = staff_client.get("/reviews/audit/").content.decode()
    assert "Gloves" in log and "Not about the product" in log


def test_flagged_reviews_are_marked_and_can_be_listed(staff_client, shop):
    review(shop, "Spam socks", flags=["spam: link"])
    review(shop, "Fine socks")
    html = staff_client.get("/reviews/?flagged=on").content.decode()
    assert "Spam socks" in html and "Fine socks" not in html and "spam: link" in html


def test_another_shops_review_is_a_404_for_every_action(login, shop_a, shop_b):
    foreign = review(shop_b.shop, "Foreign hat")
    client = login(shop_a.owner)
    for path in ("", "publish/", "reject/", "reply/"):
        method = client.get if not path else client.post
        data = {"reason": "spam", "reply": "x"} if path else None
        assert method(f"/reviews/{foreign.pk}/{path}", data).status_code == 404
    client.post("/reviews/bulk/", {"ids": [str(foreign.pk)], "action": "publish"})
    foreign.refresh_from_db()
    assert foreign.status == ReviewStatus.PENDING
    assert "Foreign hat" not in client.get("/reviews/").content.decode()
    assert "Foreign hat" not in client.get("/reviews/audit/").content.decode()


def test_settings_are_for_owners_and_change_the_policy_page(login, shop_a, client):
    shop = shop_a.shop
    assert login(shop_a.staff).get("/reviews/settings/").status_code == 403
    owner = login(shop_a.owner)
    response = owner.post(
        "/reviews/settings/",
        {"auto_publish": "on", "default_delay_days": "10", "verification_text": ""},
    )
    assert response.status_code == 302
    client.cookies["django_language"] = "en"
    policy = client.get(f"/s/{shop.slug}/reviews/policy/").content.decode()
    assert "Reviews are published as soon as they are written, whatever their rating" in policy
    assert "10 days after the parcel was delivered or picked up" in policy
    owner.post("/reviews/settings/", {"default_delay_days": "0"})
    assert "published as soon as" in client.get(f"/s/{shop.slug}/reviews/policy/").content.decode()
