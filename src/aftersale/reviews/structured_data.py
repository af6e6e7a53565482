"""schema.org ``Product`` markup with ``aggregateRating`` and ``review`` for Google's review
snippets, built from plain values so that the rules are in one place:

* product reviews only: the item is always a ``Product``, never the shop (``Organization`` /
  ``LocalBusiness``: Google shows no stars for reviews a business collects about itself);
* only published reviews, and ``ratingCount`` is the number of published ratings the widget
  shows, so the stars in search match the page;
* each ``Review`` has an ``author`` ``Person`` with a name (under 100 characters), a
  ``reviewRating`` on the 1–5 scale (``bestRating``/``worstRating`` stated), ``datePublished``;
  a review without an author name is counted in the aggregate but not listed;
* a product without reviews gets no markup (a ``Product`` needs a review or a rating here).

docs/developers/reviews-widget.md shows an example.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

BEST_RATING = 5
WORST_RATING = 1
AUTHOR_MAX = 99
MAX_LISTED = 10


@dataclass(frozen=True)
class ReviewFacts:
    """One published review as the markup needs it."""

    author: str
    rating: int
    published: date | datetime
    title: str = ""
    body: str = ""
    language: str = ""


@dataclass(frozen=True)
class ProductFacts:
    name: str
    url: str = ""
    image: str = ""
    brand: str = ""
    sku: str = ""
    external_id: str = ""


def _day(moment: date | datetime) -> str:
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()


def _author(name: str) -> str:
    name = " ".join(name.split())
    return name[:AUTHOR_MAX]


def review_markup(review: ReviewFacts) -> dict | None:
    """A ``Review`` (without ``itemReviewed``: it is nested in its product), or None when it
    has no author name Google would accept."""
    author = _author(review.author)
    if not author or not WORST_RATING <= review.rating <= BEST_RATING:
        return None
    markup: dict = {
        "@type": "Review",
        "author": {"@type": "Person", "name": author},
        "datePublished": _day(review.published),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": review.rating,
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
        },
    }
    if review.title:
        markup["name"] = review.title
    if review.body:
        markup["reviewBody"] = review.body
    if review.language:
        markup["inLanguage"] = review.language
    return markup


def product_markup(
    product: ProductFacts,
    *,
    rating_count: int,
    rating_average: float | None,
    reviews: Sequence[ReviewFacts],
) -> dict | None:
    """The ``Product`` object, or None when there is nothing to mark up (no published
    ratings). ``rating_count`` and ``rating_average`` are over all published reviews;
    ``reviews`` are the ones shown on the page (at most ``MAX_LISTED`` are listed)."""
    if rating_count <= 0 or rating_average is None:
        return None
    markup: dict = {"@context": "https://schema.org", "@type": "Product", "name": product.name}
    if product.url:
        markup["url"] = product.url
    if product.image:
        markup["image"] = product.image
    if product.brand:
        markup["brand"] = {"@type": "Brand", "name": product.brand}
    if product.sku:
        markup["sku"] = product.sku
    if product.external_id:
        markup["productID"] = product.external_id
    markup["aggregateRating"] = {
        "@type": "AggregateRating",
        "ratingValue": round(float(rating_average), 1),
        "ratingCount": rating_count,
        "bestRating": BEST_RATING,
        "worstRating": WORST_RATING,
    }
    listed = [m for m in (review_markup(r) for r in reviews[:MAX_LISTED]) if m is not None]
    if listed:
        markup["review"] = listed
    return markup


def as_script(markup: dict | None) -> str:
    """The JSON for a ``<script type="application/ld+json">`` element, safe to put in HTML
    (no ``</script>`` can close it early)."""
    if markup is None:
        return ""
    text = json.dumps(markup, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
