"""What the public sees of a product's reviews: published ones only, and their summary."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from aftersale.reviews.models import Review, ReviewStatus, Verification
from aftersale.reviews.selectors import published_reviews, rating_summary
from tests.factories import ProductFactory


def make_review(shop, product, rating, status=ReviewStatus.PUBLISHED, **fields):
    now = timezone.now()
    return Review.objects.create(
        shop=shop,
        product=product,
        author_name="Aino K.",
        language="fi",
        rating=rating,
        body="Hyvä.",
        verification=Verification.ORDER,
        verified_buyer=True,
        status=status,
        submitted_at=now - timedelta(days=1),
        published_at=now if status == ReviewStatus.PUBLISHED else None,
        **fields,
    )


def test_it_counts_only_published_reviews_of_the_product(shop_a, shop_b):
    product = ProductFactory(shop=shop_a.shop)
    other = ProductFactory(shop=shop_a.shop)
    for rating in (5, 5, 4, 1):
        make_review(shop_a.shop, product, rating)
    make_review(shop_a.shop, product, 2, status=ReviewStatus.PENDING)
    make_review(shop_a.shop, product, 3, status=ReviewStatus.REJECTED)
    make_review(shop_a.shop, other, 1)

    count, average, distribution = rating_summary(shop_a.shop, product)

    assert count == 4
    assert average == 3.75
    assert distribution == {5: 2, 4: 1, 3: 0, 2: 0, 1: 1}
    assert sorted(r.rating for r in published_reviews(shop_a.shop, product)) == [1, 4, 5, 5]
    assert list(published_reviews(shop_b.shop, product)) == []
    assert rating_summary(shop_b.shop, product).count == 0


def test_it_has_no_average_without_reviews(shop_a):
    summary = rating_summary(shop_a.shop, ProductFactory(shop=shop_a.shop))
    assert (summary.count, summary.average) == (0, None)
    assert summary.distribution == {5: 0, 4: 0, 3: 0, 2: 0, 1: 0}
