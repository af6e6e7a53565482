"""Reads for showing reviews outside the back-office: the widget, the JSON-LD, the public JSON
and the Google product-ratings feed. Published reviews only, always from one shop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from aftersale.catalog.models import Product, Variant
from aftersale.reviews import feed, structured_data
from aftersale.reviews.models import Review, ReviewPhoto, ReviewSource, ReviewStatus

PAGE_SIZE = 5
NEWEST, HIGHEST, LOWEST, PHOTOS = "newest", "highest", "lowest", "photos"
SORTS = {
    NEWEST: ("-published_at", "-id"),
    HIGHEST: ("-rating", "-published_at", "-id"),
    LOWEST: ("rating", "-published_at", "-id"),
    PHOTOS: ("-photo_count", "-published_at", "-id"),
}
SORT_LABELS = {
    NEWEST: gettext_lazy("Newest"),
    HIGHEST: gettext_lazy("Highest rating"),
    LOWEST: gettext_lazy("Lowest rating"),
    PHOTOS: gettext_lazy("With photos first"),
}


def sort_labels() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in SORT_LABELS.items()]


@dataclass
class Shown:
    """What the widget shows of one product: the summary over all its published reviews and
    one page of them."""

    count: int
    average: float | None
    distribution: list[tuple[int, int]]  # (stars, reviews), 5 first
    reviews: list[Review] = field(default_factory=list)
    page: int = 1
    pages: int = 1

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def published(shop):
    return Review.objects.for_shop(shop).filter(status=ReviewStatus.PUBLISHED)


def review_version(shop, product: Product) -> str:
    """Changes whenever anything the product's widget shows changes: a review of it
    submitted, published, rejected, replied to or erased, or the product itself."""
    row = (
        Review.objects.for_shop(shop)
        .filter(product=product)
        .aggregate(n=Count("id"), last=Max("updated_at"))
    )
    return f"{product.pk}:{product.updated_at.isoformat()}:{row['n']}:{row['last']}"


def shop_review_version(shop) -> str:
    row = Review.objects.for_shop(shop).aggregate(n=Count("id"), last=Max("updated_at"))
    products = Product.objects.for_shop(shop).aggregate(last=Max("updated_at"))
    return f"{shop.pk}:{row['n']}:{row['last']}:{products['last']}"


def summary(shop, product: Product) -> tuple[int, float | None, list[tuple[int, int]]]:
    """(count, average, distribution) over the product's published reviews."""
    rows = dict(
        published(shop)
        .filter(product=product)
        .values("rating")
        .annotate(n=Count("id"))
        .values_list("rating", "n")
    )
    count = sum(rows.values())
    average = sum(stars * n for stars, n in rows.items()) / count if count else None
    return count, average, [(stars, rows.get(stars, 0)) for stars in (5, 4, 3, 2, 1)]


def product_reviews(shop, product: Product, *, sort: str, page: int, language: str) -> Shown:
    """One page of the product's published reviews, sorted as asked. Reviews in every
    language are shown (a shop's customers read each other's); ``language`` is kept for the
    caller's texts."""
    count, average, distribution = summary(shop, product)
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(max(page, 1), pages)
    reviews = (
        published(shop)
        .filter(product=product)
        .annotate(photo_count=Count("photos"))
        .select_related("variant")
        .prefetch_related("photos")
        .order_by(*SORTS.get(sort, SORTS[NEWEST]))
    )
    start = (page - 1) * PAGE_SIZE
    return Shown(
        count=count,
        average=average,
        distribution=distribution,
        reviews=list(reviews[start : start + PAGE_SIZE]),
        page=page,
        pages=pages,
    )


def _facts(product: Product) -> structured_data.ProductFacts:
    variant = Variant.objects.filter(product=product).order_by("pk").first()
    return structured_data.ProductFacts(
        name=product.name,
        url=product.url,
        image=product.image_url,
        brand=product.brand,
        sku=variant.sku if variant else "",
        external_id=product.external_id,
    )


def product_markup(shop, product: Product, shown: Shown) -> dict | None:
    """The JSON-LD ``Product`` for the reviews on the page: the aggregate over all published
    reviews, the page's reviews listed."""
    return structured_data.product_markup(
        _facts(product),
        rating_count=shown.count,
        rating_average=shown.average,
        reviews=[
            structured_data.ReviewFacts(
                author=review.author_name,
                rating=review.rating,
                published=review.published_at or review.submitted_at,
                title=review.title,
                body=review.body,
                language=review.language,
            )
            for review in shown.reviews
        ],
    )


def review_json(review: Review, photo_url: Callable[[int], str]) -> dict:
    return {
        "id": review.pk,
        "rating": review.rating,
        "title": review.title,
        "body": review.body,
        "author": review.author_name,
        "language": review.language,
        "verified_buyer": review.verified_buyer,
        "fit": review.fit or None,
        "variant_sku": review.variant.sku if review.variant_id else None,
        "published_at": review.published_at.isoformat() if review.published_at else None,
        "photos": [photo_url(photo.pk) for photo in review.photos.all()],
        "shop_reply": review.shop_reply or None,
        "replied_at": review.replied_at.isoformat() if review.replied_at else None,
    }


def as_json(shop, product: Product, shown: Shown, *, photo_url: Callable[[int], str]) -> dict:
    return {
        "product": {"external_id": product.external_id, "name": product.name},
        "rating_count": shown.count,
        "rating_average": round(shown.average, 2) if shown.average is not None else None,
        "distribution": {str(stars): n for stars, n in shown.distribution},
        "page": shown.page,
        "pages": shown.pages,
        "reviews": [review_json(review, photo_url) for review in shown.reviews],
    }


def published_photo(shop, photo_id: int) -> ReviewPhoto | None:
    return (
        ReviewPhoto.objects.filter(
            pk=photo_id, review__shop=shop, review__status=ReviewStatus.PUBLISHED
        )
        .select_related("review")
        .first()
    )


def policy_url(request, shop) -> str:
    """The shop's "how we check reviews" page, which every widget links to (UCPD Art. 7(6))."""
    try:
        return request.build_absolute_uri(reverse("portal:review_policy", args=[shop.slug]))
    except NoReverseMatch:
        return ""


def product_page(request, shop, product: Product) -> str:
    """The product's own page in the shop, or its reviews on this server when the catalogue
    has no address for it."""
    if product.url:
        return product.url
    return request.build_absolute_uri(
        reverse("portal:review_widget", args=[shop.slug, product.external_id])
    )


def _collection_method(review: Review) -> str:
    """``post_fulfillment`` for reviews written from the request sent after delivery or
    pickup; ``unsolicited`` for the rest (imported from a file or through the API)."""
    if review.source == ReviewSource.REQUEST:
        return feed.POST_FULFILLMENT
    return feed.UNSOLICITED


def ratings_feed(
    shop, *, product_page: Callable[[Product], str], photo_url: Callable[[int], str]
) -> bytes:
    """Every published review of the shop as a Google product-ratings feed."""
    ids: dict[int, dict[str, list[str]]] = {}
    for product_id, sku, gtin, mpn in (
        Variant.objects.for_shop(shop)
        .order_by("product_id", "sku")
        .values_list("product_id", "sku", "gtin", "mpn")
    ):
        found = ids.setdefault(product_id, {"skus": [], "gtins": [], "mpns": []})
        for key, value in (("skus", sku), ("gtins", gtin), ("mpns", mpn)):
            if value and value not in found[key]:
                found[key].append(value)
    products: dict[int, feed.FeedProduct] = {}

    def product_of(review: Review) -> feed.FeedProduct:
        product = review.product
        if product.pk not in products:
            products[product.pk] = feed.FeedProduct(
                name=product.name,
                url=product_page(product),
                skus=ids.get(product.pk, {}).get("skus", []),
                gtins=ids.get(product.pk, {}).get("gtins", []),
                mpns=ids.get(product.pk, {}).get("mpns", []),
                brands=[product.brand] if product.brand else [],
            )
        return products[product.pk]

    reviews = (
        published(shop)
        .select_related("product", "order_line__order")
        .prefetch_related("photos")
        .order_by("pk")
        .iterator(chunk_size=1000)
    )
    return feed.product_ratings_feed(
        publisher=shop.name,
        reviews=(
            feed.FeedReview(
                review_id=str(review.pk),
                reviewer=review.author_name,
                written_at=review.submitted_at,
                title=review.title,
                content=review.body,
                rating=review.rating,
                review_url=product_page(review.product),
                product=product_of(review),
                collection_method=_collection_method(review),
                reviewer_images=[photo_url(photo.pk) for photo in review.photos.all()],
                transaction_id=(review.order_line.order.number if review.order_line_id else ""),
            )
            for review in reviews
        ),
    )
