"""What the recommendation service offers a customer and beside a product."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersale.catalog.models import ProductRelation
from aftersale.orders.models import Order
from aftersale.recommendations.models import BoughtTogether, RecommendationRule
from aftersale.recommendations.services import recommend_for_customer, recommend_for_product
from aftersale.returns.models import ReturnState
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ProductRelationFactory,
    ReturnLineFactory,
    VariantFactory,
)
from tests.reviews.showing import review

Kind = ProductRelation.Kind


@pytest.fixture
def phone_shop(shop_a):
    """A phone in two models, cases for each model, a charger and a cable."""
    shop = shop_a.shop
    phone = ProductFactory(shop=shop, name="Phone")
    small = VariantFactory(shop=shop, product=phone, stock=5, sku="PHONE-S")
    large = VariantFactory(shop=shop, product=phone, stock=5, sku="PHONE-L")
    case = ProductFactory(shop=shop, name="Case")
    case_small = VariantFactory(shop=shop, product=case, stock=3, sku="CASE-S")
    case_large = VariantFactory(shop=shop, product=case, stock=9, sku="CASE-L")
    charger = ProductFactory(shop=shop, name="Charger")
    VariantFactory(shop=shop, product=charger, stock=4, sku="CHARGER")
    cable = ProductFactory(shop=shop, name="Cable")
    VariantFactory(shop=shop, product=cable, stock=4, sku="CABLE")
    for variant, fitting in ((small, case_small), (large, case_large)):
        ProductRelationFactory(
            shop=shop,
            product=phone,
            related=case,
            kind=Kind.ACCESSORY,
            source_variant=variant,
            related_variant=fitting,
        )
    ProductRelationFactory(
        shop=shop, product=phone, related=charger, kind=Kind.ACCESSORY, position=1
    )
    ProductRelationFactory(shop=shop, product=phone, related=cable, kind=Kind.OFTEN_BOUGHT_WITH)
    return locals()


def buy(shop, customer, *variants, placed_at=datetime(2026, 11, 2, 10, 0, tzinfo=UTC), **order):
    placed = OrderFactory(shop=shop, customer=customer, placed_at=placed_at, **order)
    lines = [OrderLineFactory(order=placed, variant=variant) for variant in variants]
    return placed, lines


def names(recommendations):
    return [r.product.name for r in recommendations]


def test_it_offers_the_case_that_fits_the_phone_model_bought(phone_shop):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    buy(shop, customer, phone_shop["large"])
    offered = recommend_for_customer(shop, customer)
    assert names(offered) == ["Case", "Charger", "Cable"]
    assert offered[0].variant == phone_shop["case_large"]
    assert offered[0].reason == "accessory"
    assert offered[0].reason_text == "Accessory for Phone (set by the shop)"
    assert offered[0].because_of == phone_shop["phone"]
    assert [r.score for r in offered] == sorted((r.score for r in offered), reverse=True)


def test_a_fitting_variant_out_of_stock_is_not_replaced_by_one_that_does_not_fit(phone_shop):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    phone_shop["case_small"].stock = 0
    phone_shop["case_small"].save()
    buy(shop, customer, phone_shop["small"])
    assert names(recommend_for_customer(shop, customer)) == ["Charger", "Cable"]


def test_mined_pairs_respect_the_variants_the_shop_says_fit(phone_shop):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    BoughtTogether.objects.create(
        shop=shop,
        product=phone_shop["phone"],
        related=phone_shop["case"],
        customers=40,
        lift=3.0,
        score=0.9,
        computed_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    RecommendationRule.objects.create(
        shop=shop, product=phone_shop["phone"], related=phone_shop["case"], action="pin"
    )
    buy(shop, customer, phone_shop["small"])
    [case, *_] = recommend_for_customer(shop, customer)
    assert case.reason == "pinned"
    assert case.variant == phone_shop["case_small"]


def test_it_never_offers_what_the_customer_already_bought(phone_shop):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    buy(shop, customer, phone_shop["large"])
    buy(shop, customer, *phone_shop["charger"].variants.all())
    assert names(recommend_for_customer(shop, customer)) == ["Case", "Cable"]


def test_it_never_offers_what_is_out_of_stock(phone_shop):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    phone_shop["charger"].variants.update(stock=0)
    buy(shop, customer, phone_shop["large"])
    assert names(recommend_for_customer(shop, customer)) == ["Case", "Cable"]


def test_a_returned_phone_gets_no_accessories(phone_shop):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    order, [line] = buy(shop, customer, phone_shop["large"])
    ReturnLineFactory(
        order_line=line,
        return_request__order=order,
        return_request__state=ReturnState.RECEIVED,
    )
    assert recommend_for_customer(shop, customer) == []
    assert recommend_for_customer(shop, customer, for_order=order) == []


def test_a_cancelled_order_gets_no_accessories(phone_shop):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    buy(shop, customer, phone_shop["large"], status=Order.Status.CANCELLED)
    assert recommend_for_customer(shop, customer) == []


def test_for_an_order_it_offers_what_goes_with_that_order_only(phone_shop):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    buy(shop, customer, phone_shop["large"])
    socks = VariantFactory(shop=shop, stock=3)
    order, _ = buy(shop, customer, socks)
    assert recommend_for_customer(shop, customer, for_order=order) == []
    assert names(recommend_for_customer(shop, customer, limit=1)) == ["Case"]


def test_substitutes_of_what_was_bought_are_not_offered(phone_shop):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    ProductRelationFactory(
        shop=shop, product=phone_shop["cable"], related=phone_shop["phone"], kind=Kind.SUBSTITUTE
    )
    buy(shop, customer, phone_shop["large"])
    assert "Cable" not in names(recommend_for_customer(shop, customer))


def test_a_blocked_product_is_not_offered(phone_shop):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    RecommendationRule.objects.create(
        shop=shop, product=phone_shop["phone"], related=phone_shop["charger"], action="block"
    )
    buy(shop, customer, phone_shop["large"])
    assert names(recommend_for_customer(shop, customer)) == ["Case", "Cable"]


def test_for_a_product_the_variant_narrows_what_fits(phone_shop):
    shop, phone = phone_shop["shop"], phone_shop["phone"]
    assert names(recommend_for_product(shop, phone, limit=2)) == ["Case", "Charger"]
    [case] = recommend_for_product(shop, phone, limit=1, variant=phone_shop["small"])
    assert case.variant == phone_shop["case_small"]


def test_another_shops_customer_or_product_gets_nothing(phone_shop, shop_b):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    buy(shop, customer, phone_shop["large"])
    assert recommend_for_customer(shop_b.shop, customer) == []
    assert recommend_for_product(shop_b.shop, phone_shop["phone"]) == []


def rate(product, *ratings):
    for rating in ratings:
        review(product.shop, product, rating)


def test_a_poorly_rated_product_is_not_offered_once_enough_reviews_say_so(phone_shop):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    buy(shop, customer, phone_shop["large"])
    rate(phone_shop["case"], 5, 5, 4, 5)
    rate(phone_shop["charger"], 1, 2, 1, 2)  # four reviews: too few to judge
    assert names(recommend_for_customer(shop, customer)) == ["Case", "Charger", "Cable"]
    rate(phone_shop["charger"], 1)  # five, Bayesian average 2.4 < 3.0
    assert names(recommend_for_customer(shop, customer)) == ["Case", "Cable"]
    assert names(recommend_for_product(shop, phone_shop["phone"])) == ["Case", "Cable"]


def test_staff_can_still_pin_a_poorly_rated_product(phone_shop):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    buy(shop, customer, phone_shop["large"])
    rate(phone_shop["charger"], 1, 1, 1, 1, 1)
    RecommendationRule.objects.create(
        shop=shop, product=phone_shop["phone"], related=phone_shop["charger"], action="pin"
    )
    assert names(recommend_for_customer(shop, customer))[0] == "Charger"


def test_among_equally_placed_products_the_better_rated_comes_first(phone_shop):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    power_bank = ProductFactory(shop=shop, name="Power bank")
    VariantFactory(shop=shop, product=power_bank, stock=4, sku="POWER")
    ProductRelationFactory(
        shop=shop, product=phone_shop["phone"], related=power_bank, kind=Kind.ACCESSORY, position=1
    )  # placed like the charger
    buy(shop, customer, phone_shop["large"])
    assert names(recommend_for_customer(shop, customer)) == [
        "Case",
        "Charger",
        "Power bank",
        "Cable",
    ]
    rate(power_bank, 5, 5, 4)
    rate(phone_shop["charger"], 3, 4)
    assert names(recommend_for_customer(shop, customer)) == [
        "Case",
        "Power bank",
        "Charger",
        "Cable",
    ]


def test_ratings_cost_the_same_queries_however_many_products_are_offered(
    phone_shop, django_assert_num_queries
):
    shop, customer = phone_shop["shop"], CustomerFactory(shop=phone_shop["shop"])
    buy(shop, customer, phone_shop["large"])
    rate(phone_shop["case"], 4, 5)
    with CaptureQueriesContext(connection) as few:
        assert len(recommend_for_customer(shop, customer)) == 3
    for n in range(3):
        extra = ProductFactory(shop=shop, name=f"Strap {n}")
        VariantFactory(shop=shop, product=extra, stock=2, sku=f"STRAP-{n}")
        ProductRelationFactory(
            shop=shop, product=phone_shop["phone"], related=extra, kind=Kind.CONSUMABLE
        )
        rate(extra, 3, 4)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(recommend_for_customer(shop, customer, limit=6)) == 6
