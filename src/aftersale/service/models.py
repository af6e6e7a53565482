"""The service desk's tables: opening hours, closed days, support settings; the help centre."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(TimeStamped):
    """One interval in which the shop's customer service answers, in the shop's time zone.

    A day may have several intervals (9–12 and 13–17). ``closes`` at 00:00 means midnight, the
    end of the day. A shop without rows uses ``Shop.opening_hours``."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="service_opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "weekday", "opens"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "weekday", "opens"], name="service_hours_unique_start"
            )
        ]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ShopClosedDay(TimeStamped):
    """A day the shop's customer service is closed on top of the public holidays."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="service_closed_days")
    date = models.DateField(_("date"))
    name = models.CharField(_("reason"), max_length=100, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "date"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "date"], name="service_closed_day_unique")
        ]
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


DEFAULT_FIRST_RESPONSE_HOURS = 8
DEFAULT_RESOLUTION_HOURS = 40


class SupportSettings(TimeStamped):
    """Answer-time targets in business hours and whose public holidays close the desk.

    A shop without a row gets the defaults: first response within 8 business hours, resolution
    within 40, the holidays of the shop's own country."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="support_settings")
    first_response_hours = models.PositiveSmallIntegerField(
        _("first response target (business hours)"),
        default=DEFAULT_FIRST_RESPONSE_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
    )
    resolution_hours = models.PositiveSmallIntegerField(
        _("resolution target (business hours)"),
        default=DEFAULT_RESOLUTION_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
    )
    holiday_countries = models.JSONField(
        _("public holidays of"),
        default=list,
        blank=True,
        help_text=_("Two-letter country codes, e.g. FI, SE."),
    )

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop"]
        verbose_name = _("support settings")
        verbose_name_plural = _("support settings")

    def __str__(self) -> str:
        return f"{self.shop}: {self.first_response_hours} h / {self.resolution_hours} h"


from aftersale.service.help.models import (  # noqa: E402  (the help centre's tables)
    HelpArticle,
    HelpArticleTranslation,
    HelpCategory,
    HelpVisitDay,
    HelpVisitor,
    HelpVisitSalt,
)

__all__ = [
    "HelpArticle",
    "HelpArticleTranslation",
    "HelpCategory",
    "HelpVisitDay",
    "HelpVisitSalt",
    "HelpVisitor",
    "OpeningHours",
    "ShopClosedDay",
    "SupportSettings",
    "Weekday",
]
