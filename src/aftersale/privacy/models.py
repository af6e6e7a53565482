"""Privacy: a shop's retention rules, erased addresses, the erasure log and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped


class PrivacySettings(TimeStamped):
    """How long a shop keeps what, and which staff may export. One row per shop, optional."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="privacy_settings")
    accounting_years = models.PositiveSmallIntegerField(
        _("keep accounting records (years)"),
        default=6,
        help_text=_(
            "Orders, payments and refunds of erased customers are kept without personal data "
            "this long (6 years for vouchers under the Finnish Accounting Act)."
        ),
    )
    message_body_months = models.PositiveSmallIntegerField(
        _("delete message texts after (months)"),
        null=True,
        blank=True,
        default=24,
        help_text=_("Empty: keep them."),
    )
    return_photo_days = models.PositiveSmallIntegerField(
        _("delete return photos after the return closed (days)"),
        null=True,
        blank=True,
        default=90,
        help_text=_("Empty: keep them."),
    )
    delivery_data_months = models.PositiveSmallIntegerField(
        _("delete tracking events and delivery addresses of orders older than (months)"),
        null=True,
        blank=True,
        default=24,
        help_text=_("Empty: keep them."),
    )
    ticket_years = models.PositiveSmallIntegerField(
        _("delete support tickets after (years)"),
        null=True,
        blank=True,
        default=3,
        help_text=_("Applies once support tickets are part of Aftersale."),
    )
    staff_may_export = models.BooleanField(
        _("staff may export a customer's data"),
        default=False,
        help_text=_("Owners always may; only owners may erase."),
    )

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop"]
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")

    def __str__(self) -> str:
        return f"{self.shop} privacy"


class ErasedAddress(models.Model):
    """An erased customer's e-mail address or phone number, kept only as a keyed hash so that
    it is never messaged again (see ``aftersale.privacy.suppression``)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=5)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("erased address")
        verbose_name_plural = _("erased addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "channel", "digest"], name="erased_address_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.digest[:12]}…"


class Erasure(models.Model):
    """One erasure of a customer: who asked, when it ran and how many rows it changed."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="erasures")
    customer = models.ForeignKey(
        "orders.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer_number = models.BigIntegerField(_("customer number"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=20)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RUNNING
    )
    counts = models.JSONField(_("rows changed"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"customer {self.customer_number} ({self.state})"
