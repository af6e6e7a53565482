"""What the shop's sales say goes together, and the staff's pins and blocks on top of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.catalog.models import Product
from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped


class BoughtTogether(models.Model):
    """Mined nightly from kept order lines: customers who kept ``product`` also kept ``related``
    (in a different category) ``lift`` times more often than chance.

    Rows are replaced as a whole per shop by each nightly run.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    related = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    customers = models.PositiveIntegerField(_("customers who kept both"))
    lift = models.FloatField(_("lift"), help_text=_("How many times more often than chance."))
    score = models.FloatField(_("score"))
    computed_at = models.DateTimeField(_("computed at"))

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["product", "-score"]
        verbose_name = _("bought together")
        verbose_name_plural = _("bought together")
        constraints = [
            models.UniqueConstraint(fields=["product", "related"], name="bought_together_unique")
        ]
        indexes = [
            models.Index(fields=["shop", "product", "-score"], name="bought_together_best"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} + {self.related_id} ({self.customers}, ×{self.lift:.1f})"


class RecommendationRule(TimeStamped):
    """Staff pinned ``related`` to the top of ``product``'s recommendations, or blocked it."""

    class Action(models.TextChoices):
        PIN = "pin", _("Pinned")
        BLOCK = "block", _("Blocked")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    related = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=5, choices=Action.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["product", "action", "created_at"]
        verbose_name = _("recommendation pin or block")
        verbose_name_plural = _("recommendation pins and blocks")
        constraints = [
            models.UniqueConstraint(fields=["product", "related"], name="recommendation_rule_once"),
            models.CheckConstraint(
                condition=~models.Q(product=models.F("related")),
                name="recommendation_rule_not_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.action} {self.related_id}"
