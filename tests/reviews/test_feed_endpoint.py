"""/s/<shop>/reviews/feed.xml: every published review of the shop, with the product ids and
collection method Google's product-ratings feed asks for."""

from __future__ import annotations

from xml.etree.ElementTree import fromstring

import pytest
from django.core.cache import cache

from aftersale.catalog.models import Product
from aftersale.catalog.services import upsert_products
from aftersale.reviews.models import ReviewSource, ReviewStatus, Verification
from tests.factories import OrderLineFactory, ProductFactory, VariantFactory
from tests.reviews.showing import photo, review


@pytest.fixture(autouse=True)
def _fresh_limits(db):
    cache.clear()


def test_the_feed_lists_published_reviews_with_product_ids(client, shop_a, shop_b):
    tee = ProductFactory(
        shop=shop_a.shop, name="Merino T-shirt", brand="Pohjola", url="https://pohjola.example/tee"
    )
    VariantFactory(shop=shop_a.shop, product=tee, sku="TEE-S")
    line = OrderLineFactory(order__shop=shop_a.shop, variant__product=tee, variant__sku="TEE-M")
    asked = review(shop_a.shop, tee, 5, order_line=line, title="Lämmin")
    photo(asked)
    review(
        shop_a.shop, tee, 3, source=ReviewSource.IMPORTED, author_name="",
        verification=Verification.IMPORTED_UNVERIFIED, verified_buyer=False, external_id="old-1",
    )  # fmt: skip
    review(shop_a.shop, tee, 1, status=ReviewStatus.PENDING)
    review(shop_b.shop, ProductFactory(shop=shop_b.shop, name="Laturi"), 4)

    response = client.get("/s/pohjola/reviews/feed.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=3600"
    feed = fromstring(response.content)
    assert feed.findtext("publisher/name") == "Pohjola Style"
    reviews = feed.findall("reviews/review")
    assert len(reviews) == 2
    by_id = {r.findtext("review_id"): r for r in reviews}
    first = by_id[str(asked.pk)]
    assert first.findtext("collection_method") == "post_fulfillment"
    assert first.findtext("transaction_id") == line.order.number
    assert first.findtext("products/product/product_url") == "https://pohjola.example/tee"
    assert sorted(e.text for e in first.findall("products/product/product_ids/skus/sku")) == [
        "TEE-M", "TEE-S",
    ]  # fmt: skip
    assert first.findtext("products/product/product_ids/brands/brand") == "Pohjola"
    assert first.findtext("reviewer_images/reviewer_image/url").startswith("http://testserver/")
    imported = next(r for r in reviews if r is not first)
    assert imported.findtext("collection_method") == "unsolicited"
    assert imported.find("reviewer/name").get("is_anonymous") == "true"
    assert all(r.findtext("is_spam") == "false" for r in reviews)
    assert b"Laturi" not in response.content

    again = client.get("/s/pohjola/reviews/feed.xml", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_gtin_mpn_and_brand_from_the_catalogue_import_name_the_product(client, shop_a):
    upsert_products(
        shop_a.shop,
        [
            {
                "external_id": "p-tee", "name": "Merino T-shirt", "brand": "Pohjola",
                "url": "https://pohjola.example/tee",
                "variants": [
                    {"external_id": "v-s", "sku": "TEE-S", "price_cents": 4990,
                     "gtin": "6 416453 012349", "mpn": "PJ-TEE-S"},
                    {"external_id": "v-m", "sku": "TEE-M", "price_cents": 4990,
                     "gtin": "06416453012356", "mpn": ""},
                    {"external_id": "v-l", "sku": "TEE-L", "price_cents": 4990},
                ],
            }
        ],
    )  # fmt: skip
    tee = Product.objects.for_shop(shop_a.shop).get(external_id="p-tee")
    review(shop_a.shop, tee, 5)
    feed = fromstring(client.get("/s/pohjola/reviews/feed.xml").content)
    ids = feed.find("reviews/review/products/product/product_ids")
    # product_reviews.xsd 2.4: gtins, mpns, skus, brands in this order, each group non-empty
    assert [child.tag for child in ids] == ["gtins", "mpns", "skus", "brands"]
    assert [e.text for e in ids.findall("gtins/gtin")] == ["06416453012356", "6416453012349"]
    assert [e.text for e in ids.findall("mpns/mpn")] == ["PJ-TEE-S"]
    assert [e.text for e in ids.findall("brands/brand")] == ["Pohjola"]
