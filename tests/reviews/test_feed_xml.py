"""The Google Shopping product-ratings feed: parsed back and checked against the element order
and content that product_reviews.xsd 2.4 prescribes."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree.ElementTree import fromstring

from aftersale.reviews.feed import (
    POST_FULFILLMENT,
    UNSOLICITED,
    FeedProduct,
    FeedReview,
    product_ratings_feed,
)

# The child elements of <review> in the order the schema's sequence allows them.
REVIEW_SEQUENCE = [
    "review_id", "reviewer", "review_timestamp", "title", "content", "pros", "cons",
    "review_url", "reviewer_images", "ratings", "products", "is_spam", "collection_method",
    "transaction_id",
]  # fmt: skip
PRODUCT = FeedProduct(
    name="Merino T-shirt",
    url="https://shop.example/tee",
    skus=["TEE-S", "TEE-M"],
    brands=["Pohjola"],
)


def _review(**changes) -> FeedReview:
    values = {
        "review_id": "17",
        "reviewer": "Aino",
        "written_at": datetime(2026, 11, 2, 10, 0, 0, 123, tzinfo=UTC),
        "content": "Soft & warm <3",
        "rating": 5,
        "review_url": "https://shop.example/tee#reviews",
        "product": PRODUCT,
        "collection_method": POST_FULFILLMENT,
    }
    return FeedReview(**{**values, **changes})


def test_a_review_has_the_schema_elements_in_order():
    feed = fromstring(
        product_ratings_feed(publisher="Pohjola Style", reviews=[_review(title="Great")])
    )
    assert feed.tag == "feed"
    assert [child.tag for child in feed] == ["version", "publisher", "reviews"]
    assert feed.findtext("version") == "2.4"
    assert feed.findtext("publisher/name") == "Pohjola Style"
    review = feed.find("reviews/review")
    tags = [child.tag for child in review]
    assert tags == sorted(tags, key=REVIEW_SEQUENCE.index)
    assert review.findtext("review_id") == "17"
    assert review.findtext("reviewer/name") == "Aino"
    assert review.findtext("review_timestamp") == "2026-11-02T10:00:00Z"
    assert review.findtext("content") == "Soft & warm <3"
    assert review.find("review_url").get("type") == "group"
    overall = review.find("ratings/overall")
    assert (overall.get("min"), overall.get("max"), overall.text) == ("1", "5", "5")
    ids = review.find("products/product/product_ids")
    assert [e.text for e in ids.findall("skus/sku")] == ["TEE-S", "TEE-M"]
    assert [e.text for e in ids.findall("brands/brand")] == ["Pohjola"]
    assert ids.find("gtins") is None  # no empty groups
    assert review.findtext("products/product/product_url") == "https://shop.example/tee"
    assert review.findtext("is_spam") == "false"
    assert review.findtext("collection_method") == "post_fulfillment"


def test_an_anonymous_or_wordless_review_is_still_valid():
    xml = product_ratings_feed(
        publisher="P", reviews=[_review(reviewer=" ", content="", collection_method=UNSOLICITED)]
    )
    review = fromstring(xml).find("reviews/review")
    name = review.find("reviewer/name")
    assert name.get("is_anonymous") == "true" and name.text
    assert review.findtext("content") == "5/5"
    assert review.findtext("collection_method") == "unsolicited"


def test_a_feed_without_reviews_has_no_empty_reviews_element():
    feed = fromstring(product_ratings_feed(publisher="P", reviews=[]))
    assert [child.tag for child in feed] == ["version", "publisher"]
