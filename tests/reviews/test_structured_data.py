"""JSON-LD for review snippets: the markup passes the rules Google documents, and the checker
catches what breaks them (so that a passing test means something)."""

from __future__ import annotations

import json
from datetime import date

from aftersale.reviews.structured_data import (
    ProductFacts,
    ReviewFacts,
    as_script,
    product_markup,
)
from tests.reviews.google_rules import problems

PRODUCT = ProductFacts(
    name="Merino T-shirt", url="https://shop.example/tee", brand="Pohjola", sku="TEE-M"
)


def _reviews(*ratings: int) -> list[ReviewFacts]:
    return [
        ReviewFacts(author=f"Aino {i}", rating=r, published=date(2026, 11, 2), body="Fits well")
        for i, r in enumerate(ratings)
    ]


def test_it_builds_a_product_with_rating_and_reviews_google_accepts():
    markup = product_markup(
        PRODUCT, rating_count=3, rating_average=13 / 3, reviews=_reviews(5, 4, 4)
    )
    assert problems(markup) == []
    assert markup["@type"] == "Product"
    assert markup["aggregateRating"]["ratingValue"] == 4.3
    assert markup["aggregateRating"]["ratingCount"] == 3
    assert [r["reviewRating"]["ratingValue"] for r in markup["review"]] == [5, 4, 4]
    assert markup["review"][0]["author"] == {"@type": "Person", "name": "Aino 0"}
    assert markup["review"][0]["datePublished"] == "2026-11-02"
    assert markup["brand"] == {"@type": "Brand", "name": "Pohjola"}


def test_it_makes_no_markup_without_published_ratings():
    assert product_markup(PRODUCT, rating_count=0, rating_average=None, reviews=[]) is None
    assert as_script(None) == ""


def test_it_lists_no_review_without_an_author_name_but_counts_its_rating():
    reviews = [ReviewFacts(author="  ", rating=2, published=date(2026, 11, 2))] + _reviews(5)
    markup = product_markup(PRODUCT, rating_count=2, rating_average=3.5, reviews=reviews)
    assert problems(markup) == []
    assert len(markup["review"]) == 1
    assert markup["aggregateRating"]["ratingCount"] == 2


def test_it_shortens_an_author_name_to_under_100_characters():
    reviews = [ReviewFacts(author="A" * 150, rating=4, published=date(2026, 11, 2))]
    markup = product_markup(PRODUCT, rating_count=1, rating_average=4, reviews=reviews)
    assert problems(markup) == []
    assert len(markup["review"][0]["author"]["name"]) < 100


def test_the_script_text_cannot_close_its_element():
    reviews = [ReviewFacts(author="</script><b>", rating=4, published=date(2026, 11, 2))]
    text = as_script(product_markup(PRODUCT, rating_count=1, rating_average=4, reviews=reviews))
    assert "<" not in text and ">" not in text
    assert json.loads(text)["review"][0]["author"]["name"] == "</script><b>"


def test_the_checker_refuses_what_google_refuses():
    good = product_markup(PRODUCT, rating_count=1, rating_average=4, reviews=_reviews(4))
    self_serving = {**good, "@type": "LocalBusiness"}
    assert any("self-serving" in p for p in problems(self_serving))
    no_count = {**good, "aggregateRating": {"@type": "AggregateRating", "ratingValue": 4}}
    assert any("ratingCount" in p for p in problems(no_count))
    off_scale = {**good, "aggregateRating": {**good["aggregateRating"], "ratingValue": 7}}
    assert any("outside" in p for p in problems(off_scale))
    anonymous = {**good, "review": [{**good["review"][0], "author": {"@type": "Person"}}]}
    assert any("author.name" in p for p in problems(anonymous))
    nothing = {k: v for k, v in good.items() if k not in {"review", "aggregateRating"}}
    assert any("one of review" in p for p in problems(nothing))
