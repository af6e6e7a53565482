"""The structured-data rules Google documents for review snippets, as a checker for tests.

Sources (developers.google.com/search/docs/appearance/structured-data/review-snippet and
…/product-snippet, and the 2019 "self-serving reviews" post):

* a review snippet is about one specific item; ``Product`` is an allowed type, ``Organization``
  / ``LocalBusiness`` (and their subtypes) get no stars when the business collects the reviews
  itself (self-serving);
* ``Product`` requires ``name`` and at least one of ``review``, ``aggregateRating``, ``offers``;
* ``AggregateRating`` requires ``ratingValue`` and ``ratingCount`` or ``reviewCount``, and when
  the scale is not 1–5 ``bestRating``/``worstRating``; ``ratingValue`` lies on the scale;
* ``Review`` requires ``author`` (a ``Person`` or ``Organization`` with a ``name`` under 100
  characters) and ``reviewRating`` with ``ratingValue``; ``datePublished`` is recommended and is
  an ISO 8601 date; nested in its item, ``itemReviewed`` is implied.

``problems(markup)`` lists what breaks them; an empty list is a valid snippet.
"""

from __future__ import annotations

from datetime import date

SELF_SERVING = {"Organization", "LocalBusiness", "Store", "OnlineStore", "OnlineBusiness"}


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _scale(rating: dict) -> tuple[float, float]:
    best = _number(rating.get("bestRating", 5))
    worst = _number(rating.get("worstRating", 1))
    return (worst if worst is not None else 1.0), (best if best is not None else 5.0)


def _rating_problems(where: str, rating: dict, *, aggregate: bool) -> list[str]:
    found = []
    value = _number(rating.get("ratingValue"))
    if value is None:
        found.append(f"{where}: ratingValue missing or not a number")
    else:
        worst, best = _scale(rating)
        if not worst <= value <= best:
            found.append(f"{where}: ratingValue {value} is outside {worst}–{best}")
    if aggregate:
        counts = [rating.get("ratingCount"), rating.get("reviewCount")]
        if not any(isinstance(count, int) and count > 0 for count in counts):
            found.append(f"{where}: ratingCount or reviewCount (a positive count) required")
    return found


def _review_problems(where: str, review: dict) -> list[str]:
    found = []
    if review.get("@type") != "Review":
        found.append(f"{where}: @type must be Review")
    author = review.get("author")
    if not isinstance(author, dict) or author.get("@type") not in {"Person", "Organization"}:
        found.append(f"{where}: author must be a Person or Organization")
    else:
        name = author.get("name")
        if not isinstance(name, str) or not name.strip():
            found.append(f"{where}: author.name required")
        elif len(name) >= 100:
            found.append(f"{where}: author.name must be under 100 characters")
    rating = review.get("reviewRating")
    if not isinstance(rating, dict):
        found.append(f"{where}: reviewRating required")
    else:
        found += _rating_problems(f"{where}.reviewRating", rating, aggregate=False)
    if "datePublished" in review:
        try:
            date.fromisoformat(str(review["datePublished"])[:10])
        except ValueError:
            found.append(f"{where}: datePublished is not an ISO 8601 date")
    return found


def problems(markup: dict) -> list[str]:
    found = []
    if markup.get("@context") not in {"https://schema.org", "http://schema.org"}:
        found.append("@context must be schema.org")
    kind = markup.get("@type")
    if kind in SELF_SERVING:
        found.append(f"{kind}: self-serving reviews get no review snippet")
    if kind != "Product":
        found.append("@type must be Product")
    if not markup.get("name"):
        found.append("Product: name required")
    if not any(key in markup for key in ("review", "aggregateRating", "offers")):
        found.append("Product: one of review, aggregateRating, offers required")
    aggregate = markup.get("aggregateRating")
    if aggregate is not None:
        if aggregate.get("@type") != "AggregateRating":
            found.append("aggregateRating: @type must be AggregateRating")
        found += _rating_problems("aggregateRating", aggregate, aggregate=True)
    reviews = markup.get("review", [])
    for index, review in enumerate(reviews if isinstance(reviews, list) else [reviews]):
        found += _review_problems(f"review[{index}]", review)
    return found
