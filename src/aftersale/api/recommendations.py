"""Recommendations for the shop's pages and messages.

* ``GET /products/{external_id}/recommendations`` — what goes with a product (with one of its
  variants when ``variant`` is given), best first.
* ``GET /customers/{external_id}/recommendations`` — what to offer a customer next, from what
  they kept (from one order when ``order`` is given), best first; never what they already
  bought, never what is out of stock.
"""

from __future__ import annotations

from ninja import Query, Router, Schema
from pydantic import Field

from aftersale.api.problems import not_found
from aftersale.api.reads import _one
from aftersale.catalog.models import Product, Variant
from aftersale.orders.models import Customer, Order
from aftersale.recommendations.services import recommend_for_customer, recommend_for_product

MAX_LIMIT = 20


class RecommendationOut(Schema):
    product_external_id: str
    variant_external_id: str
    sku: str
    name: str
    price_cents: int
    currency: str
    url: str
    image_url: str
    reason: str = Field(
        description='"pinned", "required_part", "accessory", "consumable", '
        '"often_bought_with" (the shop\'s own relations) or "bought_together" (mined from '
        "what customers kept)."
    )
    reason_text: str = Field(description="Why, in words for the shop's staff.")
    score: float = Field(description="Higher is better; only the order matters.")
    because_of_external_id: str | None = Field(
        description="The product bought (or asked about) it goes with."
    )


class RecommendationList(Schema):
    items: list[RecommendationOut]


class ProductQuery(Schema):
    limit: int = Field(4, ge=1, le=MAX_LIMIT)
    variant: str | None = Field(
        None, max_length=100, description="External id of the variant the customer looks at."
    )


class CustomerQuery(Schema):
    limit: int = Field(4, ge=1, le=MAX_LIMIT)
    order: str | None = Field(
        None, max_length=100, description="External id of the customer's order to build on."
    )


def _out(recommendations) -> dict:
    return {
        "items": [
            {
                "product_external_id": r.product.external_id,
                "variant_external_id": r.variant.external_id,
                "sku": r.variant.sku,
                "name": str(r.variant),
                "price_cents": r.variant.price_cents,
                "currency": r.variant.currency,
                "url": r.product.url,
                "image_url": r.product.image_url,
                "reason": r.reason,
                "reason_text": r.reason_text,
                "score": r.score,
                "because_of_external_id": r.because_of.external_id if r.because_of else None,
            }
            for r in recommendations
        ]
    }


def product_recommendations(request, external_id: str, query: Query[ProductQuery]):
    product = _one(Product.objects.for_shop(request.shop), external_id=external_id)
    variant = None
    if query.variant is not None:
        variant = _one(
            Variant.objects.for_shop(request.shop).filter(product=product),
            external_id=query.variant,
        )
    return _out(recommend_for_product(request.shop, product, limit=query.limit, variant=variant))


def customer_recommendations(request, external_id: str, query: Query[CustomerQuery]):
    customer = _one(Customer.objects.for_shop(request.shop), external_id=external_id)
    order = None
    if query.order is not None:
        order = _one(Order.objects.for_shop(request.shop), external_id=query.order)
        if order.customer_id != customer.pk:
            raise not_found()
    return _out(recommend_for_customer(request.shop, customer, limit=query.limit, for_order=order))


def add_recommendation_endpoints(router: Router) -> None:
    """Before the reads: /customers/{id}/recommendations is not a customer id."""
    router.get(
        "/products/{path:external_id}/recommendations",
        response=RecommendationList,
        tags=["products"],
        summary="What goes with a product",
    )(product_recommendations)
    router.get(
        "/customers/{path:external_id}/recommendations",
        response=RecommendationList,
        tags=["customers"],
        summary="What to offer a customer next",
    )(customer_recommendations)
