"""Reading reviews: what the public sees of a product, and its rating summary."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from aftersale.reviews.models import Review, ReviewSettings, ReviewStatus


@dataclass(frozen=True)
class RatingSummary:
    """``count`` published reviews, their mean ``average`` (None without reviews) and the
    ``distribution``: the count per star, {5: …, 4: …, 3: …, 2: …, 1: …}."""

    count: int
    average: float | None
    distribution: dict[int, int]

    def __iter__(self):  # (count, average, distribution) = rating_summary(...)
        return iter((self.count, self.average, self.distribution))


def published_reviews(shop, product) -> QuerySet[Review]:
    """A product's published reviews, newest first, with their photos."""
    return (
        Review.objects.for_shop(shop)
        .filter(product=product, status=ReviewStatus.PUBLISHED)
        .order_by("-published_at", "-id")
        .prefetch_related("photos")
    )


def rating_summary(shop, product) -> RatingSummary:
    """The published reviews' count, average rating and the count per star."""
    rows = (
        Review.objects.for_shop(shop)
        .filter(product=product, status=ReviewStatus.PUBLISHED)
        .values("rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    distribution = dict.fromkeys(range(5, 0, -1), 0)
    for row in rows:
        distribution[row["rating"]] = row["n"]
    count = sum(distribution.values())
    average = round(sum(star * n for star, n in distribution.items()) / count, 2) if count else None
    return RatingSummary(count, average, distribution)


def settings_of(shop) -> ReviewSettings:
    """The shop's review settings; the defaults (unsaved) when it has never changed them."""
    found = ReviewSettings.objects.filter(shop=shop).first()
    return found if found is not None else ReviewSettings(shop=shop)
