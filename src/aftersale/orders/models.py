"""Customers, their orders with lines, payments and refunds."""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped


class Customer(TimeStamped):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="customers")
    external_id = models.CharField(_("external id"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=5, default="fi")
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FI")
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    consent_at = models.DateTimeField(_("consent given or withdrawn at"), null=True, blank=True)
    consent_source = models.CharField(
        _("consent source"),
        max_length=100,
        blank=True,
        help_text=_("e.g. checkout, portal, import"),
    )
    consent_wording_version = models.CharField(
        _("consent wording version"), max_length=40, blank=True
    )
    first_order_at = models.DateTimeField(_("first order"), null=True, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(fields=["shop", "external_id"], name="customer_unique_external")
        ]
        indexes = [
            models.Index(fields=["shop", "email"], name="customer_email"),
            # The customer list's order, so a page is read from the index, not sorted.
            models.Index(fields=["shop", "last_name", "first_name", "id"], name="customer_by_name"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.external_id

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class DeliveryMethod(models.TextChoices):
    PICKUP_POINT = "pickup_point", _("Pickup point")
    PARCEL_LOCKER = "parcel_locker", _("Parcel locker")
    HOME = "home", _("Home delivery")
    STORE = "store", _("Pickup in store")


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Card")
    BANK = "bank", _("Online bank")
    MOBILE = "mobile", _("Mobile payment")
    INVOICE = "invoice", _("Invoice")
    COD = "cod", _("Cash on delivery")
    OTHER = "other", _("Other")


class Order(TimeStamped):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FULFILLED = "fulfilled", _("Fulfilled")
        CANCELLED = "cancelled", _("Cancelled")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="orders")
    external_id = models.CharField(_("external id"), max_length=100)
    number = models.CharField(_("order number"), max_length=50)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    placed_at = models.DateTimeField(_("placed at"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    subtotal_cents = models.BigIntegerField(_("goods (cents)"), default=0)
    shipping_cents = models.BigIntegerField(_("shipping (cents)"), default=0)
    discount_cents = models.BigIntegerField(_("discount (cents)"), default=0)
    total_cents = models.BigIntegerField(_("total (cents)"), default=0)
    vat_cents = models.BigIntegerField(_("of which VAT (cents)"), default=0)
    payment_method = models.CharField(
        _("payment method"),
        max_length=12,
        choices=PaymentMethod.choices,
        default=PaymentMethod.CARD,
    )
    delivery_method = models.CharField(
        _("delivery method"),
        max_length=16,
        choices=DeliveryMethod.choices,
        default=DeliveryMethod.PICKUP_POINT,
    )
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    pickup_point = models.ForeignKey(
        "delivery.PickupPoint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    ship_name = models.CharField(_("recipient"), max_length=200, blank=True)
    ship_street = models.CharField(_("street address"), max_length=200, blank=True)
    ship_postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    ship_city = models.CharField(_("city"), max_length=100, blank=True)
    ship_country = models.CharField(_("country"), max_length=2, default="FI")
    ship_phone = models.CharField(_("phone"), max_length=40, blank=True)
    marketing_consent = models.BooleanField(_("marketing consent at checkout"), default=False)
    address_check = models.JSONField(_("address check"), default=dict, blank=True)
    # When the sending system last changed the order (its updated_at): an older update is
    # acknowledged and ignored, so webhooks delivered out of order cannot undo a newer state.
    source_updated_at = models.DateTimeField(_("changed at the source"), null=True, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["shop", "external_id"], name="order_unique_external")
        ]
        indexes = [
            models.Index(fields=["shop", "placed_at"], name="order_shop_placed"),
            models.Index(fields=["shop", "number"], name="order_shop_number"),
            # Search by order number in any letter case (aftersale.orders.selectors).
            models.Index(F("shop"), Upper("number"), name="order_shop_number_upper"),
            # A customer's orders, newest first, and their totals (the customer page).
            models.Index(fields=["shop", "customer", "placed_at"], name="order_customer_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class OrderLine(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    external_id = models.CharField(_("external id"), max_length=100)
    variant = models.ForeignKey(
        "catalog.Variant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
    )
    sku = models.CharField(_("SKU"), max_length=100, blank=True)
    name = models.CharField(_("product"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price_cents = models.BigIntegerField(_("unit price (cents)"))
    total_cents = models.BigIntegerField(_("line total (cents)"))
    vat_rate_bp = models.PositiveIntegerField(
        _("VAT rate (basis points)"), default=2550, help_text=_("25.5 % is 2550.")
    )
    vat_cents = models.BigIntegerField(_("of which VAT (cents)"), default=0)
    unit_cost_cents = models.BigIntegerField(_("unit cost (cents)"), null=True, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "external_id"], name="orderline_unique_external"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class Payment(TimeStamped):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="payments")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    external_id = models.CharField(_("external id"), max_length=100)
    method = models.CharField(
        _("method"), max_length=12, choices=PaymentMethod.choices, default=PaymentMethod.CARD
    )
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    paid_at = models.DateTimeField(_("paid at"))

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["paid_at", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(fields=["shop", "external_id"], name="payment_unique_external")
        ]

    def __str__(self) -> str:
        return f"{self.amount_cents / 100:.2f} {self.currency}"


class Refund(TimeStamped):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="refunds")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    external_id = models.CharField(_("external id"), max_length=100)
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"))
    return_request = models.ForeignKey(
        "returns.ReturnRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="refunds",
    )

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["refunded_at", "id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.UniqueConstraint(fields=["shop", "external_id"], name="refund_unique_external")
        ]
        # The latest refunds (the withdrawals page).
        indexes = [models.Index(fields=["shop", "refunded_at"], name="refund_shop_time")]

    def __str__(self) -> str:
        return f"{self.amount_cents / 100:.2f} {self.currency}"
