"""The catalogue ingest: products with variants and accessory links, in few queries."""

from aftersale.catalog.models import AccessoryLink, Variant
from aftersale.catalog.services import upsert_products


def product(n, accessories=()):
    return {
        "external_id": f"p{n}",
        "name": f"Product {n}",
        "category": {"external_id": "c", "name": "Things"},
        "variants": [{"external_id": f"v{n}", "sku": f"SKU{n}", "price_cents": 100 + n}],
        "accessories": list(accessories),
    }


def test_a_batch_links_accessories_sent_in_the_same_batch(shop_a):
    upsert_products(shop_a.shop, [product(1, ["p2", "p3"]), product(2), product(3)])
    links = AccessoryLink.objects.for_shop(shop_a.shop).order_by("position")
    assert [link.accessory.external_id for link in links] == ["p2", "p3"]


def test_reordering_accessories_replaces_the_links(shop_a):
    upsert_products(shop_a.shop, [product(1, ["p2", "p3"]), product(2), product(3)])
    [result] = upsert_products(shop_a.shop, [product(1, ["p3"])])
    assert result.changed
    assert [link.accessory.external_id for link in AccessoryLink.objects.all()] == ["p3"]


def test_a_large_batch_takes_few_queries(shop_a, django_assert_max_num_queries):
    items = [product(n) for n in range(300)]
    with django_assert_max_num_queries(20):
        upsert_products(shop_a.shop, items)
    assert Variant.objects.for_shop(shop_a.shop).count() == 300
    with django_assert_max_num_queries(10):
        results = upsert_products(shop_a.shop, items)
    assert not any(r.changed for r in results)
