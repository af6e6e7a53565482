"""The catalogue ingest: products with variants and accessory links, in few queries."""

import pytest

from aftersale.catalog.models import Product, ProductRelation, Variant
from aftersale.catalog.services import upsert_products
from aftersale.orders.ingest import InvalidPayload


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
    links = ProductRelation.objects.for_shop(shop_a.shop).order_by("position")
    assert [link.related.external_id for link in links] == ["p2", "p3"]
    assert {link.kind for link in links} == {"accessory"}


def test_reordering_accessories_replaces_the_links(shop_a):
    upsert_products(shop_a.shop, [product(1, ["p2", "p3"]), product(2), product(3)])
    [result] = upsert_products(shop_a.shop, [product(1, ["p3"])])
    assert result.changed
    assert [link.related.external_id for link in ProductRelation.objects.all()] == ["p3"]


def test_a_large_batch_takes_few_queries(shop_a, django_assert_max_num_queries):
    items = [product(n) for n in range(300)]
    with django_assert_max_num_queries(20):
        upsert_products(shop_a.shop, items)
    assert Variant.objects.for_shop(shop_a.shop).count() == 300
    with django_assert_max_num_queries(10):
        results = upsert_products(shop_a.shop, items)
    assert not any(r.changed for r in results)


def test_size_advice_is_stored_per_language(shop_a):
    item = product(1) | {
        "size_advice": "Pieni malli: valitse kokoa suurempi.",
        "size_advice_translations": {"sv": "Liten i storleken.", "en": "Runs small."},
    }
    [result] = upsert_products(shop_a.shop, [item])
    stored = Product.objects.for_shop(shop_a.shop).get(external_id="p1")
    assert stored.size_advice_in("sv", "fi") == "Liten i storleken."
    assert stored.size_advice_in("fi", "fi") == "Pieni malli: valitse kokoa suurempi."


def test_size_advice_in_an_unknown_language_names_the_field(shop_a):
    item = product(1) | {"size_advice_translations": {"de": "Fällt klein aus."}}
    with pytest.raises(InvalidPayload) as refused:
        upsert_products(shop_a.shop, [item])
    assert "/0/size_advice_translations/de" in str(refused.value)


def test_relations_are_typed_and_can_name_the_variants_that_fit(shop_a):
    phone = product(1) | {
        "variants": [
            {"external_id": "v1-s", "sku": "PHONE-S", "price_cents": 500},
            {"external_id": "v1-l", "sku": "PHONE-L", "price_cents": 600},
        ],
        "relations": [
            {"kind": "accessory", "product": "p2", "variant": "v2", "for_variant": "v1-l"},
            {"kind": "consumable", "product": "p3"},
            {"kind": "substitute", "product": "p3"},
        ],
    }
    upsert_products(shop_a.shop, [product(2), product(3), phone])
    rows = [
        (r.kind, r.related.external_id, getattr(r.source_variant, "external_id", None),
         getattr(r.related_variant, "external_id", None))
        for r in ProductRelation.objects.for_shop(shop_a.shop).order_by("position")
    ]  # fmt: skip
    assert rows == [
        ("accessory", "p2", "v1-l", "v2"),
        ("consumable", "p3", None, None),
        ("substitute", "p3", None, None),
    ]
    # A product sent without accessories or relations keeps its relations.
    without = {
        key: value for key, value in phone.items() if key not in ("accessories", "relations")
    }
    upsert_products(shop_a.shop, [without | {"name": "Phone"}])
    assert ProductRelation.objects.for_shop(shop_a.shop).count() == 3
    upsert_products(shop_a.shop, [without | {"relations": []}])
    assert ProductRelation.objects.for_shop(shop_a.shop).count() == 0


def test_a_variant_of_another_product_is_refused_naming_the_field(shop_a):
    upsert_products(shop_a.shop, [product(2), product(3)])
    bad = product(1) | {"relations": [{"kind": "accessory", "product": "p2", "variant": "v3"}]}
    with pytest.raises(InvalidPayload) as refused:
        upsert_products(shop_a.shop, [bad])
    assert "/0/relations/0/variant" in str(refused.value)
    assert "no variant of product p2" in str(refused.value)
    assert not Product.objects.for_shop(shop_a.shop).filter(external_id="p1").exists()


def test_an_unknown_kind_or_a_relation_to_itself_is_refused(shop_a):
    with pytest.raises(InvalidPayload) as refused:
        upsert_products(shop_a.shop, [product(1) | {"relations": [{"kind": "x", "product": "p2"}]}])
    assert "/0/relations/0/kind" in str(refused.value)
    with pytest.raises(InvalidPayload) as refused:
        upsert_products(
            shop_a.shop, [product(1) | {"relations": [{"kind": "accessory", "product": "p1"}]}]
        )
    assert "/0/relations/0/product" in str(refused.value)


@pytest.mark.parametrize(
    ("gtin", "message"),
    [
        ("641645301234", "has a wrong check digit"),
        ("64164530123", "of 8, 12, 13 or 14 digits"),
        ("ABC45301234X", "of 8, 12, 13 or 14 digits"),
    ],
)
def test_a_wrong_gtin_is_refused_naming_the_field(shop_a, gtin, message):
    item = product(1)
    item["variants"][0]["gtin"] = gtin
    with pytest.raises(InvalidPayload) as refused:
        upsert_products(shop_a.shop, [item])
    assert "/0/variants/0/gtin" in str(refused.value)
    assert message in str(refused.value)
    assert not Variant.objects.for_shop(shop_a.shop).exists()


def test_gtin_and_mpn_are_stored_per_variant(shop_a):
    item = product(1)
    item["variants"][0] |= {"gtin": "9780306406157", "mpn": "MX-1"}  # an ISBN-13
    upsert_products(shop_a.shop, [item])
    variant = Variant.objects.for_shop(shop_a.shop).get()
    assert (variant.gtin, variant.mpn) == ("9780306406157", "MX-1")
