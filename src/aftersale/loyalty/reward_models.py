"""The rewards catalogue, the codes a shop uploads, and each redemption of a reward.

A redemption holds one discount code: taken from the reward's pool (codes the shop created in
its platform and uploaded), or made here and sent to the shop's platform in the
``loyalty.reward_redeemed`` webhook. One code is never handed out twice: a pool code is taken
with a row lock that skips codes another redemption holds, and ``(shop, code)`` is unique
among redemptions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped


class Reward(TimeStamped):
    class Kind(models.TextChoices):
        FIXED_AMOUNT = "fixed_amount", _("Fixed discount")
        PERCENTAGE = "percentage", _("Percentage discount")
        FREE_SHIPPING = "free_shipping", _("Free shipping")
        PRODUCT = "product", _("Free product")

    class CodeSource(models.TextChoices):
        POOL = "pool", _("Codes uploaded by the shop")
        PLATFORM = "platform", _("Made here, created in the shop's platform by webhook")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="rewards")
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount_cents = models.PositiveBigIntegerField(
        _("discount (cents)"), default=0, help_text=_("For a fixed discount.")
    )
    percent = models.PositiveSmallIntegerField(
        _("discount (%)"), default=0, help_text=_("For a percentage discount, 1–100.")
    )
    product_sku = models.CharField(
        _("product SKU"), max_length=100, blank=True, help_text=_("For a free product.")
    )
    minimum_order_cents = models.PositiveBigIntegerField(_("minimum order (cents)"), default=0)
    points_cost = models.PositiveIntegerField(_("points"))
    code_source = models.CharField(
        _("codes"), max_length=10, choices=CodeSource.choices, default=CodeSource.POOL
    )
    cancel_days = models.PositiveSmallIntegerField(
        _("customer may cancel within (days)"),
        default=14,
        help_text=_("An unused code can be given back for its points within this many days."),
    )
    for_referred_friends = models.BooleanField(
        _("welcome reward for referred friends"),
        default=False,
        help_text=_("A friend who opens a referral link gets this reward without points."),
    )
    active = models.BooleanField(_("active"), default=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["points_cost", "name", "id"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="fixed_amount") | Q(amount_cents__gt=0),
                name="reward_fixed_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(kind="percentage") | Q(percent__gte=1, percent__lte=100),
                name="reward_percentage_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(kind="product") | ~Q(product_sku=""),
                name="reward_product_has_sku",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RewardCode(models.Model):
    """A code the shop created in its platform and uploaded here for one reward."""

    class State(models.TextChoices):
        AVAILABLE = "available", _("Available")
        HANDED_OUT = "handed_out", _("Handed out")
        VOID = "void", _("Withdrawn")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    reward = models.ForeignKey(Reward, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("code"), max_length=64)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.AVAILABLE
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["reward", "id"]
        verbose_name = _("reward code")
        verbose_name_plural = _("reward codes")
        constraints = [
            models.UniqueConstraint(fields=["shop", "code"], name="rewardcode_unique_code")
        ]
        indexes = [
            # The next free code of a reward, and the pool's counts by state.
            models.Index(fields=["reward", "state", "id"], name="rewardcode_next"),
        ]

    def __str__(self) -> str:
        return self.code


class Redemption(TimeStamped):
    """A reward given to a customer (for points) or to a referred friend (welcome, free)."""

    class State(models.TextChoices):
        RESERVED = "reserved", _("Waiting to be used")
        SETTLED = "settled", _("Used in an order")
        CANCELLED = "cancelled", _("Cancelled, points returned")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Customer portal")
        API = "api", _("API")
        STAFF = "staff", _("Staff")
        REFERRAL = "referral", _("Referral welcome")
        GOODWILL = "goodwill", _("Given by staff without points")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "orders.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="redemptions",
        help_text=_("Empty for a referred friend's welcome reward until their first order."),
    )
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    code = models.CharField(_("code"), max_length=64)
    points = models.PositiveIntegerField(_("points"), default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RESERVED
    )
    channel = models.CharField(_("redeemed in"), max_length=10, choices=Channel.choices)
    settled_order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    settled_at = models.DateTimeField(_("used at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    reason = models.CharField(
        _("reason for giving it"),
        max_length=300,
        blank=True,
        help_text=_("Why staff gave this reward without points (goodwill)."),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("given by"),
    )

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        constraints = [
            # However a code was found (pool or made here), it is handed out once.
            models.UniqueConstraint(fields=["shop", "code"], name="redemption_unique_code")
        ]
        indexes = [
            models.Index(fields=["shop", "customer", "-created_at"], name="redemption_customer"),
            models.Index(fields=["shop", "-created_at", "-id"], name="redemption_latest"),
        ]

    def __str__(self) -> str:
        return self.code


class ExpiryNotice(models.Model):
    """A member was told their points expire: once per stretch without activity."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.CASCADE, related_name="loyalty_expiry_notices"
    )
    last_activity_at = models.DateTimeField(_("last activity"))
    points = models.BigIntegerField(_("points"))
    expires_on = models.DateField(_("expires on"))
    created_at = models.DateTimeField(_("told at"))

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("points expiry notice")
        verbose_name_plural = _("points expiry notices")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "last_activity_at"], name="expirynotice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.points} on {self.expires_on}"
