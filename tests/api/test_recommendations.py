"""GET /products/{id}/recommendations and GET /customers/{id}/recommendations."""

import pytest

from aftersale.catalog.models import ProductRelation
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ProductRelationFactory,
    VariantFactory,
)


@pytest.fixture
def phone(shop_a):
    shop = shop_a.shop
    phone = ProductFactory(shop=shop, name="Phone", external_id="phone")
    small = VariantFactory(shop=shop, product=phone, external_id="phone-s", stock=2)
    large = VariantFactory(shop=shop, product=phone, external_id="phone-l", stock=2)
    case = ProductFactory(shop=shop, name="Case", external_id="case", url="https://shop.fi/case")
    for external_id, fits in (("case-s", small), ("case-l", large)):
        fitting = VariantFactory(
            shop=shop, product=case, external_id=external_id, stock=3, price_cents=1990
        )
        ProductRelationFactory(
            shop=shop, product=phone, related=case, source_variant=fits, related_variant=fitting
        )
    charger = ProductFactory(shop=shop, name="Charger", external_id="charger")
    VariantFactory(shop=shop, product=charger, external_id="charger-1", stock=1)
    ProductRelationFactory(
        shop=shop, product=phone, related=charger, kind=ProductRelation.Kind.REQUIRED_PART
    )
    return shop, small, large


def test_a_product_lists_what_goes_with_it_best_first(api, phone):
    shop, small, _ = phone
    body = api(shop).get("/products/phone/recommendations", {"variant": "phone-s"}).json()
    assert [i["variant_external_id"] for i in body["items"]] == ["charger-1", "case-s"]
    case = body["items"][1]
    assert case["reason"] == "accessory"
    assert case["reason_text"] == "Accessory for Phone (set by the shop)"
    assert (case["price_cents"], case["url"]) == (1990, "https://shop.fi/case")
    assert case["because_of_external_id"] == "phone"
    body = api(shop).get("/products/phone/recommendations", {"limit": 1}).json()
    assert [i["product_external_id"] for i in body["items"]] == ["charger"]


def test_a_customer_is_offered_the_case_for_the_model_bought_not_what_they_have(api, phone):
    shop, _, large = phone
    customer = CustomerFactory(shop=shop, external_id="aino")
    order = OrderFactory(shop=shop, customer=customer, external_id="o1")
    OrderLineFactory(order=order, variant=large)
    body = api(shop).get("/customers/aino/recommendations", {"order": "o1"}).json()
    assert [i["variant_external_id"] for i in body["items"]] == ["charger-1", "case-l"]
    OrderLineFactory(order=order, variant=shop.variants.get(external_id="charger-1"))
    body = api(shop).get("/customers/aino/recommendations").json()
    assert [i["variant_external_id"] for i in body["items"]] == ["case-l"]


def test_unknown_ids_and_another_shops_objects_are_404(api, phone, shop_b):
    shop, _, large = phone
    customer = CustomerFactory(shop=shop, external_id="aino")
    OrderLineFactory(order__shop=shop, order__customer=customer, order__external_id="o1")
    OrderFactory(shop=shop, external_id="someone-elses")
    assert api(shop_b.shop).get("/products/phone/recommendations").status_code == 404
    assert api(shop_b.shop).get("/customers/aino/recommendations").status_code == 404
    assert api(shop).get("/products/ghost/recommendations").status_code == 404
    assert (
        api(shop).get("/products/phone/recommendations", {"variant": "case-s"}).status_code == 404
    )
    response = api(shop).get("/customers/aino/recommendations", {"order": "someone-elses"})
    assert response.status_code == 404


def test_the_limit_is_bounded(api, phone):
    shop, _, _ = phone
    response = api(shop).get("/products/phone/recommendations", {"limit": 500})
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "limit"
