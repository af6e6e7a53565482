"""What a shop sends about its catalogue: products with variants and compatible accessories."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool

from aftersale.catalog.models import Category
from aftersale.orders.ingest import CurrencyCode, ExternalId, Payload, PositiveCents, text, whole

Language = Literal["fi", "sv", "en"]


class CategoryIn(Payload):
    external_id: ExternalId
    name: text(200, min_length=1)
    non_returnable: Category.NonReturnable = Category.NonReturnable.RETURNABLE


class VariantIn(Payload):
    external_id: ExternalId
    sku: text(100, min_length=1)
    size: text(40) = ""
    colour: text(40) = ""
    price_cents: PositiveCents
    unit_cost_cents: PositiveCents | None = None
    currency: CurrencyCode | None = None
    stock: whole(-(10**9), 10**9) = 0


class ProductIn(Payload):
    external_id: ExternalId
    name: text(300, min_length=1)
    description: text(20_000) = ""
    brand: text(100) = ""
    category: CategoryIn | None = None
    url: text(500) = ""
    image_url: text(500) = ""
    size_advice: text(5_000) = Field(
        default="", description="Size advice in the shop's default language."
    )
    size_advice_translations: dict[Language, text(5_000)] = Field(
        default_factory=dict,
        description='Size advice in other languages, e.g. {"sv": "…", "en": "…"}.',
    )
    final_sale: StrictBool = False
    variants: list[VariantIn] = Field(default_factory=list, max_length=500)
    accessories: list[ExternalId] = Field(
        default_factory=list,
        max_length=100,
        description="External ids of compatible accessory products, best first.",
    )
