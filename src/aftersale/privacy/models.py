"""Privacy: a shop's retention rules, erased addresses, the erasure log and the audit log."""

from __future__ import annotations

import calendar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.dates import MONTHS
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
            "this long after the end of the calendar year in which their financial period "
            "ended (6 years for vouchers under the Finnish Accounting Act)."
        ),
    )
    financial_year_end_month = models.PositiveSmallIntegerField(
        _("financial year ends: month"),
        default=12,
        choices=list(MONTHS.items()),
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    financial_year_end_day = models.PositiveSmallIntegerField(
        _("financial year ends: day"),
        default=31,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("The last day of the shop's financial year (31 December for most shops)."),
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
        help_text=_(
            "Solved, closed, spam and merged tickets, with their messages, attachments and "
            "satisfaction answers, this many years after they last changed. Empty: keep them."
        ),
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

    def clean(self) -> None:
        month, day = self.financial_year_end_month, self.financial_year_end_day
        if month and day and 1 <= month <= 12 and day > calendar.monthrange(2024, month)[1]:
            raise ValidationError(
                {
                    "financial_year_end_day": _(
                        "That month has no day %(day)s: give the last day of the financial year."
                    )
                    % {"day": day}
                }
            )


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


class AuditAction(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    CUSTOMER_VIEWED = "customer_viewed", _("Viewed a customer")
    CUSTOMER_EXPORTED = "customer_exported", _("Exported a customer's data")
    CUSTOMER_ERASED = "customer_erased", _("Erased a customer")
    REFUND = "refund", _("Refund")
    SETTINGS_CHANGED = "settings_changed", _("Changed settings")
    API_TOKEN_USED = "api_token_used", _("Used an API token")
    AUDIT_EXPORTED = "audit_exported", _("Exported the audit log")


class AppendOnly(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class AuditEntryQuerySet(ShopOwnedQuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries cannot be changed")

    def delete(self):
        raise AppendOnly("audit entries cannot be deleted")

    _update = update


class AuditEntry(models.Model):
    """Who did what, when and from where. Entries are only ever added: the model refuses to
    save an existing entry or delete one, and the admin shows them read-only."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("who"), max_length=150)
    action = models.CharField(_("what"), max_length=20, choices=AuditAction.choices)
    subject_type = models.CharField(_("about"), max_length=40, blank=True)
    subject_id = models.CharField(_("id"), max_length=64, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    client_address = models.CharField(_("from"), max_length=64, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["shop", "at"], name="audit_shop_time")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries cannot be deleted")
