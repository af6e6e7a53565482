"""The shop's catalogue: categories, products, their variants and how products relate."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped


class Category(TimeStamped):
    class NonReturnable(models.TextChoices):
        RETURNABLE = "", _("Returnable")
        HYGIENE = "hygiene", _("Hygiene product (seal broken)")
        PERSONALISED = "personalised", _("Personalised or made to order")
        PERISHABLE = "perishable", _("Perishable")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="categories")
    external_id = models.CharField(_("external id"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    non_returnable = models.CharField(
        _("return exception"), max_length=20, choices=NonReturnable.choices, blank=True, default=""
    )

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["shop", "external_id"], name="category_unique_external")
        ]

    def __str__(self) -> str:
        return self.name


class Product(TimeStamped):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="products")
    external_id = models.CharField(_("external id"), max_length=100)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    url = models.URLField(_("product page"), blank=True, max_length=500)
    image_url = models.URLField(_("image"), blank=True, max_length=500)
    size_advice = models.TextField(
        _("size advice"), blank=True, help_text=_("In the shop's default language.")
    )
    size_advice_translations = models.JSONField(
        _("size advice in other languages"),
        default=dict,
        blank=True,
        help_text=_('The advice by language code, e.g. {"sv": "…", "en": "…"}.'),
    )
    final_sale = models.BooleanField(_("final sale"), default=False)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["shop", "external_id"], name="product_unique_external")
        ]

    def __str__(self) -> str:
        return self.name

    def size_advice_in(self, language: str, shop_language: str) -> str:
        """The size advice written in ``language``, empty rather than in another language.

        ``size_advice`` is in the shop's default language (``shop_language``).
        """
        translated = (self.size_advice_translations or {}).get(language, "")
        if translated:
            return translated
        return self.size_advice if language == shop_language else ""


class Variant(TimeStamped):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="variants")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    external_id = models.CharField(_("external id"), max_length=100)
    sku = models.CharField(_("SKU"), max_length=100)
    gtin = models.CharField(
        _("GTIN"), max_length=14, blank=True, help_text=_("EAN, UPC or ISBN barcode number.")
    )
    mpn = models.CharField(
        _("MPN"), max_length=70, blank=True, help_text=_("Manufacturer part number.")
    )
    size = models.CharField(_("size"), max_length=40, blank=True)
    colour = models.CharField(_("colour"), max_length=40, blank=True)
    price_cents = models.BigIntegerField(_("price (cents)"))
    unit_cost_cents = models.BigIntegerField(
        _("unit cost (cents)"), null=True, blank=True, help_text=_("For margin; excluding VAT.")
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    stock = models.IntegerField(_("stock"), default=0)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["product__name", "sku"]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [
            models.UniqueConstraint(fields=["shop", "external_id"], name="variant_unique_external"),
            models.UniqueConstraint(fields=["shop", "sku"], name="variant_unique_sku"),
        ]

    def __str__(self) -> str:
        label = " / ".join(part for part in (self.size, self.colour) if part)
        return f"{self.product.name} {label}".strip() if label else self.product.name


class ProductRelation(TimeStamped):
    """``related`` goes with ``product``, typed like schema.org and Google Merchant Center.

    ``source_variant`` narrows the relation to buyers of that variant of ``product`` (this case
    fits the 128 GB model only); ``related_variant`` names the one variant of ``related`` that
    fits (the case for this phone model). Either left empty means any variant.
    """

    class Kind(models.TextChoices):
        # schema.org isAccessoryOrSparePartFor; Merchant Center "accessory"
        ACCESSORY = "accessory", _("Accessory")
        # Merchant Center "required_part": the product does not work without it
        REQUIRED_PART = "required_part", _("Required part")
        # schema.org isConsumableFor: used up and bought again (ink, filters, capsules)
        CONSUMABLE = "consumable", _("Consumable")
        # Merchant Center "often_bought_with"
        OFTEN_BOUGHT_WITH = "often_bought_with", _("Often bought with")
        # schema.org isSimilarTo; Merchant Center "substitute": instead of, not as well as
        SUBSTITUTE = "substitute", _("Substitute")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="product_relations")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="relations")
    related = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="related_to")
    kind = models.CharField(_("relation"), max_length=20, choices=Kind.choices)
    source_variant = models.ForeignKey(
        Variant,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="relations_from",
        verbose_name=_("only for buyers of"),
    )
    related_variant = models.ForeignKey(
        Variant,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="relations_to",
        verbose_name=_("compatible variant"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["product", "position", "pk"]
        verbose_name = _("product relation")
        verbose_name_plural = _("product relations")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "related", "kind", "source_variant", "related_variant"],
                name="product_relation_unique",
            ),
            models.UniqueConstraint(
                fields=["product", "related", "kind"],
                condition=models.Q(source_variant__isnull=True, related_variant__isnull=True),
                name="product_relation_unique_any_variant",
            ),
            models.CheckConstraint(
                condition=~models.Q(product=models.F("related")), name="product_relation_not_itself"
            ),
        ]
        indexes = [models.Index(fields=["shop", "related"], name="product_relation_related")]

    def __str__(self) -> str:
        return f"{self.product} → {self.related} ({self.kind})"
