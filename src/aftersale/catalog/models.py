"""The shop's catalogue: categories, products, their variants and compatible accessories."""

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


class AccessoryLink(TimeStamped):
    """``accessory`` is compatible with ``product``: offered after a purchase of ``product``."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="accessory_links")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="accessory_links")
    accessory = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="accessory_for")
    position = models.PositiveSmallIntegerField(default=0)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["product", "position"]
        verbose_name = _("compatible accessory")
        verbose_name_plural = _("compatible accessories")
        constraints = [
            models.UniqueConstraint(fields=["product", "accessory"], name="accessory_link_unique"),
            models.CheckConstraint(
                condition=~models.Q(product=models.F("accessory")), name="accessory_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} → {self.accessory}"
