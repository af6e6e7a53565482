"""The tenant (Shop), who may work in it (Membership) and how a shop's systems reach the API."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def default_languages() -> list[str]:
    return ["fi", "sv", "en"]


def default_opening_hours() -> dict[str, list[list[str]]]:
    weekday = [["09:00", "17:00"]]
    return {
        "mon": weekday,
        "tue": weekday,
        "wed": weekday,
        "thu": weekday,
        "fri": weekday,
        "sat": [],
        "sun": [],
    }


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class ShopOwnedQuerySet(models.QuerySet):
    """Every tenant-owned query starts from a shop: ``Model.objects.for_shop(shop)``."""

    def for_shop(self, shop: Shop | int) -> ShopOwnedQuerySet:
        shop_id = shop if isinstance(shop, int) else shop.pk
        return self.filter(shop_id=shop_id)


class Shop(TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    languages = models.JSONField(_("languages"), default=default_languages)
    default_language = models.CharField(_("default language"), max_length=5, default="fi")
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Helsinki")
    country = models.CharField(_("country"), max_length=2, default="FI")
    return_window_days = models.PositiveSmallIntegerField(
        _("return window (days)"),
        default=14,
        help_text=_("Days from receipt; never less than the statutory 14."),
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.JSONField(
        _("opening hours"),
        default=default_opening_hours,
        help_text=_('Per weekday a list of ["HH:MM", "HH:MM"] intervals in the shop\'s time zone.'),
    )
    webhook_secret = models.CharField(
        _("webhook secret"), max_length=64, default=new_webhook_secret
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("shop")
        verbose_name_plural = _("shops")

    def __str__(self) -> str:
        return self.name


class Membership(TimeStamped):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "shop"], name="membership_unique_user_shop")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.shop} ({self.role})"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(TimeStamped):
    """A per-shop bearer token. Only its SHA-256 is stored; the token is shown once."""

    PREFIX = "as_"

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_prefix = models.CharField(_("starts with"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class JobRun(models.Model):
    """The last run of a periodic worker job, so that restarts and extra workers don't repeat it."""

    name = models.CharField(max_length=100, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
