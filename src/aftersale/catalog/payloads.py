"""What a shop sends about its catalogue: products with variants and related products."""

from __future__ import annotations

from typing import Annotated, Literal

from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field, StrictBool

from aftersale.catalog.models import Category, ProductRelation
from aftersale.orders.ingest import CurrencyCode, ExternalId, Payload, PositiveCents, text, whole

Language = Literal["fi", "sv", "en"]
# The relation kinds as plain strings: the OpenAPI schema names an enum by its class, and
# ``ProductRelation.Kind`` would take the place of the pickup points' ``Kind`` (and be lost).
RelationKind = Literal[tuple(ProductRelation.Kind.values)]  # type: ignore[valid-type]


GTIN_LENGTHS = (8, 12, 13, 14)


def check_gtin(value: str) -> str:
    """A GTIN (EAN-8, UPC-A, EAN-13/ISBN-13, GTIN-14) without spaces, its check digit right."""
    digits = value.replace(" ", "").replace("-", "")
    if not digits:
        return ""
    if not digits.isascii() or not digits.isdigit() or len(digits) not in GTIN_LENGTHS:
        raise ValueError(
            _("must be the barcode number (GTIN, EAN or UPC) of 8, 12, 13 or 14 digits")
        )
    # GS1 check digit: weights 3 and 1 alternate from the digit next to the check digit.
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    if (10 - total % 10) % 10 != int(digits[-1]):
        raise ValueError(_("has a wrong check digit: copy the barcode number again"))
    return digits


Gtin = Annotated[text(20), AfterValidator(check_gtin)]


class CategoryIn(Payload):
    external_id: ExternalId
    name: text(200, min_length=1)
    non_returnable: Category.NonReturnable = Category.NonReturnable.RETURNABLE


class VariantIn(Payload):
    external_id: ExternalId
    sku: text(100, min_length=1)
    gtin: Gtin = Field(
        default="",
        description="The variant's barcode number (GTIN: EAN, UPC or ISBN): 8, 12, 13 or 14 "
        "digits with a right GS1 check digit, or empty.",
        json_schema_extra={"format": "gtin", "pattern": r"^(|[0-9]{8}|[0-9]{12,14})$"},
    )
    mpn: text(70) = Field(default="", description="The manufacturer's part number.")
    size: text(40) = ""
    colour: text(40) = ""
    price_cents: PositiveCents
    unit_cost_cents: PositiveCents | None = None
    currency: CurrencyCode | None = None
    stock: whole(-(10**9), 10**9) = 0


class RelationIn(Payload):
    kind: RelationKind = Field(
        description="accessory, required_part, consumable, often_bought_with or substitute."
    )
    product: ExternalId = Field(description="External id of the related product.")
    variant: ExternalId | None = Field(
        default=None,
        description="External id of the one variant of the related product that fits "
        "(the case for this phone model); empty: any variant.",
    )
    for_variant: ExternalId | None = Field(
        default=None,
        description="External id of this product's variant the relation is for; empty: all.",
    )


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
        description="External ids of compatible accessory products, best first "
        "(a short form of relations of kind accessory).",
    )
    relations: list[RelationIn] = Field(
        default_factory=list,
        max_length=200,
        description="How other products relate to this one, best first. When either "
        "accessories or relations is sent, the product's relations are replaced by what is "
        "sent; when neither is sent they stay as they are.",
    )

    @property
    def sends_relations(self) -> bool:
        return bool({"accessories", "relations"} & self.model_fields_set)

    def all_relations(self) -> list[tuple[tuple[str, int], RelationIn]]:
        """(where in the payload, relation) for every relation sent, accessories first."""
        sent = [
            (("accessories", i), RelationIn(kind=ProductRelation.Kind.ACCESSORY, product=aid))
            for i, aid in enumerate(self.accessories)
        ]
        return sent + [(("relations", i), r) for i, r in enumerate(self.relations)]
