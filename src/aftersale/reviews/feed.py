"""Google Shopping product-ratings feed (schema 2.4, ``product_reviews.xsd``) from plain values.

Google expects the full feed every time (reviews missing from the next full feed are
deleted), so the feed lists every published review. Each review names its product by the ids
Google matches on (``gtins``, ``mpns``, ``skus``, ``brands``) and the product page; the
catalogue has GTINs, MPNs and SKUs per variant and a brand per product. ``collection_method``
is ``post_fulfillment`` for reviews written from the request sent after delivery or pickup and
``unsolicited`` for everything else (imports); ``is_spam`` is always false, since only reviews
a person published are listed.
docs/developers/reviews-widget.md describes the feed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, SubElement, tostring

SCHEMA_VERSION = "2.4"
SCHEMA_LOCATION = "http://www.google.com/shopping/reviews/schema/product/2.4/product_reviews.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
VC = "http://www.w3.org/2007/XMLSchema-versioning"
POST_FULFILLMENT = "post_fulfillment"
UNSOLICITED = "unsolicited"


@dataclass(frozen=True)
class FeedProduct:
    name: str
    url: str
    skus: Sequence[str] = ()
    brands: Sequence[str] = ()
    gtins: Sequence[str] = ()
    mpns: Sequence[str] = ()


@dataclass(frozen=True)
class FeedReview:
    review_id: str
    reviewer: str  # empty: anonymous
    written_at: datetime
    content: str
    rating: int
    review_url: str
    product: FeedProduct
    collection_method: str = UNSOLICITED
    title: str = ""
    reviewer_images: Sequence[str] = field(default_factory=tuple)
    transaction_id: str = ""


def _text(parent: Element, tag: str, value: str, **attributes: str) -> Element:
    element = SubElement(parent, tag, attributes)
    element.text = value
    return element


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ids(parent: Element, plural: str, singular: str, values: Sequence[str]) -> None:
    values = [value for value in values if value]
    if values:
        group = SubElement(parent, plural)
        for value in values:
            _text(group, singular, value)


def _review(parent: Element, review: FeedReview) -> None:
    element = SubElement(parent, "review")
    _text(element, "review_id", review.review_id)
    reviewer = SubElement(element, "reviewer")
    name = " ".join(review.reviewer.split())
    if name:
        _text(reviewer, "name", name)
    else:
        _text(reviewer, "name", "Anonymous", is_anonymous="true")
    _text(element, "review_timestamp", _timestamp(review.written_at))
    if review.title:
        _text(element, "title", review.title)
    # content is required and may not be empty: a rating without words says its stars.
    _text(element, "content", review.content or f"{review.rating}/5")
    _text(element, "review_url", review.review_url, type="group")
    if review.reviewer_images:
        images = SubElement(element, "reviewer_images")
        for url in review.reviewer_images:
            _text(SubElement(images, "reviewer_image"), "url", url)
    ratings = SubElement(element, "ratings")
    _text(ratings, "overall", str(review.rating), min="1", max="5")
    product = SubElement(SubElement(element, "products"), "product")
    ids = SubElement(product, "product_ids")
    _ids(ids, "gtins", "gtin", review.product.gtins)
    _ids(ids, "mpns", "mpn", review.product.mpns)
    _ids(ids, "skus", "sku", review.product.skus)
    _ids(ids, "brands", "brand", review.product.brands)
    _text(product, "product_name", review.product.name)
    _text(product, "product_url", review.product.url)
    _text(element, "is_spam", "false")
    _text(element, "collection_method", review.collection_method)
    if review.transaction_id:
        _text(element, "transaction_id", review.transaction_id)


def product_ratings_feed(
    *, publisher: str, reviews: Iterable[FeedReview], favicon: str = ""
) -> bytes:
    """The whole feed as UTF-8 XML."""
    feed = Element(
        "feed",
        {"xmlns:vc": VC, "xmlns:xsi": XSI, "xsi:noNamespaceSchemaLocation": SCHEMA_LOCATION},
    )
    _text(feed, "version", SCHEMA_VERSION)
    publisher_element = SubElement(feed, "publisher")
    _text(publisher_element, "name", publisher)
    if favicon:
        _text(publisher_element, "favicon", favicon)
    listed = Element("reviews")  # optional, but never empty when present
    for review in reviews:
        _review(listed, review)
    if len(listed):
        feed.append(listed)
    return tostring(feed, encoding="utf-8", xml_declaration=True)
