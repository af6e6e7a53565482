"""The generated "how we check reviews" page says what the shop's settings actually do."""

from __future__ import annotations

import pytest
from django.utils import timezone

from aftersale.loyalty import services as loyalty
from aftersale.reviews.models import Review, ReviewSettings, ReviewSource, Verification
from tests.reviews.helpers import product


def page(client, shop, language="en") -> str:
    client.cookies["django_language"] = language
    response = client.get(f"/s/{shop.slug}/reviews/policy/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_moderated_shop_says_a_person_reads_every_review(client, shop):
    html = page(client, shop)
    assert "A person reads every review before it is published" in html
    assert "7 days after the parcel was delivered or picked up" in html
    for reason in (
        "Unlawful or offensive content",
        "Contains personal data",
        "Not about the product",
        "Spam or advertising",
        "Duplicate of another review",
    ):
        assert reason in html  # fmt: skip
    assert "satisfaction survey answer does not change" in html
    assert "We do not pay or reward anyone for writing a review." in html
    assert "earlier review service" not in html


def test_longer_category_delays_and_auto_publish_are_stated(client, shop):
    ReviewSettings.objects.create(
        shop=shop, auto_publish=True, category_delays={"1": 14}, verification_text="Soita meille."
    )
    html = page(client, shop)
    assert "Reviews are published as soon as they are written, whatever their rating" in html
    assert "up to 14 days for products that take longer to try" in html
    assert "Soita meille." in html


def test_imported_reviews_are_explained_as_they_are(client, shop):
    Review.objects.create(
        shop=shop, product=product(shop), author_name="Old", language="fi", rating=4,
        verification=Verification.IMPORTED_UNVERIFIED, source=ReviewSource.IMPORTED,
        external_id="old-1", submitted_at=timezone.now(),
    )  # fmt: skip
    html = page(client, shop)
    assert "could not be checked against purchases" in html
    assert "which checked that the reviewer had bought the product" not in html


def test_a_loyalty_bonus_for_reviews_is_disclosed(client, shop):
    loyalty.save_programme(shop, enabled=True, starts_at=timezone.now())
    loyalty.save_rule(shop, points_per_euro=1, first_order_bonus=0, review_bonus=50)
    html = page(client, shop)
    assert "get 50 points for every written review, whatever its rating" in html


@pytest.mark.parametrize(
    ("language", "words"),
    [("fi", "Näin"), ("sv", "Så"), ("en", "How")],
)
def test_the_page_is_in_three_languages(client, shop, language, words):
    assert f"<h1>{words}" in page(client, shop, language)


def test_an_unknown_shop_has_no_policy_page(client, db):
    assert client.get("/s/no-such-shop/reviews/policy/").status_code == 404
