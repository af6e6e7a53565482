"""The widget's fragment, JSON-LD and public JSON: published reviews only, in three languages,
cacheable with an ETag, readable from any origin, and another shop's product is a 404."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache

from aftersale.reviews.models import ReviewStatus
from tests.factories import ProductFactory, VariantFactory
from tests.reviews.google_rules import problems
from tests.reviews.showing import photo, review


@pytest.fixture(autouse=True)
def _fresh_limits(db):
    cache.clear()


@pytest.fixture
def tee(shop_a):
    product = ProductFactory(
        shop=shop_a.shop, external_id="TEE-1", name="Merino T-shirt", brand="Pohjola",
        url="https://pohjola.example/tee",
    )  # fmt: skip
    VariantFactory(shop=shop_a.shop, product=product, sku="TEE-M")
    return product


def _widget(client, product_id="TEE-1", shop="pohjola", etag=None, **params):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(f"/s/{shop}/reviews/widget/{product_id}/", params, headers=headers)


def _json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD in the fragment"
    return json.loads(found.group(1))


def test_it_shows_published_reviews_with_summary_badge_reply_and_photo(client, shop_a, tee):
    shown = review(shop_a.shop, tee, 5, title="Lämmin", shop_reply="Kiitos, Aino!")
    photo(shown)
    review(shop_a.shop, tee, 3, verified_buyer=False, author_name="Pekka")
    review(shop_a.shop, tee, 1, status=ReviewStatus.PENDING, title="Odottaa")
    review(shop_a.shop, tee, 1, status=ReviewStatus.REJECTED, title="Hylätty")
    response = _widget(client, lang="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Customer reviews" in html
    assert "4.0 out of 5, 2 reviews" in html
    assert "Lämmin" in html and "Kiitos, Aino!" in html and "Pekka" in html
    assert html.count("Verified buyer") == 1
    assert "Odottaa" not in html and "Hylätty" not in html
    assert "http://testserver/s/pohjola/reviews/photos/" in html  # absolute: shown elsewhere
    assert "http://testserver/s/pohjola/reviews/policy/" in html or "How we check" not in html
    markup = _json_ld(html)
    assert problems(markup) == []
    assert markup["aggregateRating"]["ratingCount"] == 2
    assert len(markup["review"]) == 2


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fi", "Asiakasarviot"), ("sv", "Kundrecensioner"), ("en", "Customer reviews")],
)
def test_it_speaks_the_language_asked_for(client, shop_a, tee, language, heading):
    review(shop_a.shop, tee, 4)
    response = _widget(client, lang=language)
    assert heading in response.content.decode()
    assert response["Content-Language"] == language


def test_it_sorts_and_pages(client, shop_a, tee):
    for rating in (1, 2, 3, 4, 5, 5, 4):
        review(shop_a.shop, tee, rating, days_ago=rating)
    first = _widget(client, lang="en", sort="lowest").content.decode()
    ratings = [int(r) for r in re.findall(r'data-rating="(\d)"', first)]
    assert ratings == sorted(ratings) and len(ratings) == 5
    assert "Page 1 of 2" in first and 'data-page="2"' in first
    second = _widget(client, lang="en", sort="lowest", page="2").content.decode()
    assert [int(r) for r in re.findall(r'data-rating="(\d)"', second)] == [5, 5]
    highest = _widget(client, lang="en", sort="highest").content.decode()
    assert re.findall(r'data-rating="(\d)"', highest)[:2] == ["5", "5"]
    nonsense = _widget(client, lang="en", sort="<x>", page="999999999").content.decode()
    assert "Page 1 of 2" in nonsense


def test_photos_first_puts_reviews_with_photos_on_top(client, shop_a, tee):
    review(shop_a.shop, tee, 4, days_ago=1, title="Uusin")
    with_photo = review(shop_a.shop, tee, 2, days_ago=9, title="Kuvallinen")
    photo(with_photo)
    html = _widget(client, lang="en", sort="photos").content.decode()
    assert html.index("Kuvallinen") < html.index("Uusin")


def test_it_is_cacheable_and_answers_304_until_a_review_changes(client, shop_a, tee):
    pending = review(shop_a.shop, tee, 4, status=ReviewStatus.PENDING)
    review(shop_a.shop, tee, 5)
    first = _widget(client, lang="fi")
    assert first["Cache-Control"] == "public, max-age=300"
    assert first["Access-Control-Allow-Origin"] == "*"
    etag = first["ETag"]
    again = _widget(client, lang="fi", etag=etag)
    assert again.status_code == 304 and again.content == b""
    assert _widget(client, lang="sv", etag=etag).status_code == 200
    pending.status = ReviewStatus.PUBLISHED
    pending.save()
    changed = _widget(client, lang="fi", etag=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_product_without_reviews_has_no_markup(client, shop_a, tee):
    html = _widget(client, lang="en").content.decode()
    assert "No reviews yet." in html and "ld+json" not in html
    response = client.get("/s/pohjola/reviews/products/TEE-1.jsonld")
    assert response.status_code == 200 and json.loads(response.content) is None


def test_the_json_ld_endpoint_passes_googles_rules(client, shop_a, tee):
    review(shop_a.shop, tee, 5)
    review(shop_a.shop, tee, 4, author_name="")
    response = client.get("/s/pohjola/reviews/products/TEE-1.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    markup = json.loads(response.content)
    assert problems(markup) == []
    assert markup["@type"] == "Product" and markup["sku"] == "TEE-M"
    assert markup["aggregateRating"] == {
        "@type": "AggregateRating", "ratingValue": 4.5, "ratingCount": 2,
        "bestRating": 5, "worstRating": 1,
    }  # fmt: skip
    assert len(markup["review"]) == 1  # the one without an author name is only counted


def test_the_public_json_lists_published_reviews_only(client, shop_a, tee):
    shown = review(shop_a.shop, tee, 5, fit="true_to_size")
    photo(shown)
    review(shop_a.shop, tee, 1, status=ReviewStatus.PENDING)
    response = client.get("/s/pohjola/reviews/products/TEE-1.json")
    body = response.json()
    assert response["Access-Control-Allow-Origin"] == "*"
    assert body["rating_count"] == 1 and body["rating_average"] == 5.0
    assert body["distribution"] == {"5": 1, "4": 0, "3": 0, "2": 0, "1": 0}
    (only,) = body["reviews"]
    assert only["fit"] == "true_to_size" and only["verified_buyer"] is True
    assert only["photos"][0].startswith("http://testserver/s/pohjola/reviews/photos/")
    assert "email" not in json.dumps(body)


def test_photos_of_unpublished_reviews_are_not_served(client, shop_a, tee):
    published = photo(review(shop_a.shop, tee, 5))
    pending = photo(review(shop_a.shop, tee, 2, status=ReviewStatus.PENDING))
    assert client.get(f"/s/pohjola/reviews/photos/{published.pk}/").status_code == 200
    assert client.get(f"/s/pohjola/reviews/photos/{pending.pk}/").status_code == 404


def test_another_shops_product_and_photo_are_404(client, shop_a, shop_b, tee):
    shown = photo(review(shop_a.shop, tee, 5))
    ProductFactory(shop=shop_b.shop, external_id="B-1")
    assert _widget(client, "TEE-1", shop="saaristo").status_code == 404
    assert _widget(client, "B-1", shop="pohjola").status_code == 404
    assert client.get("/s/saaristo/reviews/products/TEE-1.json").status_code == 404
    assert client.get("/s/saaristo/reviews/products/TEE-1.jsonld").status_code == 404
    assert client.get(f"/s/saaristo/reviews/photos/{shown.pk}/").status_code == 404
    feed = client.get("/s/saaristo/reviews/feed.xml").content.decode()
    assert "Merino" not in feed


def test_public_reads_are_limited_per_address(client, shop_a, tee, settings):
    from aftersale.portal import review_widget

    statuses = {
        client.get("/s/pohjola/reviews/products/TEE-1.json").status_code
        for _ in range(review_widget.READS_PER_MINUTE + 1)
    }
    assert statuses == {200, 429}
