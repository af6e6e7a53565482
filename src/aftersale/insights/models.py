"""Per-shop snapshots of customer and product value, recomputed nightly or on demand.

Each computation replaces the shop's rows, so a snapshot is always one consistent run.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet


class RfmSegment(models.TextChoices):
    """RFM segments; the rules are in aftersale.analytics.rfm and docs/analytics.md."""

    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    NEW = "new", _("New")
    NEEDS_ATTENTION = "needs_attention", _("Needs attention")
    AT_RISK = "at_risk", _("At risk")
    HIBERNATING = "hibernating", _("Hibernating")
    ONE_TIME_RECENT = "one_time_recent", _("Bought once, recently")
    ONE_TIME_LAPSED = "one_time_lapsed", _("Bought once, long ago")


class ValueSegment(models.TextChoices):
    """Value after returns; the rules are in aftersale.analytics.net_value."""

    PROFITABLE = "profitable", _("Profitable")
    SERIAL_RETURNER = "serial_returner", _("Serial returner")
    UNPROFITABLE = "unprofitable", _("Unprofitable")


class ShopInsight(models.Model):
    """One computation for a shop: its model parameters and the shop-level charts' data."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="insights")
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    error = models.TextField(blank=True)
    as_of = models.DateTimeField(_("data up to"))
    customers = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)
    model_params = models.JSONField(default=dict, blank=True)
    charts = models.JSONField(default=dict, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"
        verbose_name = _("insight computation")
        verbose_name_plural = _("insight computations")

    def __str__(self) -> str:
        return f"{self.shop} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class CustomerValue(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    customer = models.OneToOneField(
        "orders.Customer", on_delete=models.CASCADE, related_name="value"
    )
    computed_at = models.DateTimeField()
    orders = models.PositiveIntegerField(_("orders"), default=0)
    first_order_at = models.DateTimeField(null=True, blank=True)
    last_order_at = models.DateTimeField(null=True, blank=True)
    gross_revenue_cents = models.BigIntegerField(_("gross revenue"), default=0)
    returned_cents = models.BigIntegerField(_("returned goods"), default=0)
    net_revenue_cents = models.BigIntegerField(_("net revenue"), default=0)
    net_margin_cents = models.BigIntegerField(_("net margin"), default=0)
    return_cost_cents = models.BigIntegerField(_("return shipping costs"), default=0)
    unclaimed_parcels = models.PositiveIntegerField(_("unclaimed parcels"), default=0)
    unclaimed_cost_cents = models.BigIntegerField(_("unclaimed parcel costs"), default=0)
    return_rate = models.FloatField(_("return rate"), default=0.0)
    rfm_recency = models.PositiveSmallIntegerField(default=0)
    rfm_frequency = models.PositiveSmallIntegerField(default=0)
    rfm_monetary = models.PositiveSmallIntegerField(default=0)
    rfm_segment = models.CharField(
        _("segment"), max_length=16, choices=RfmSegment.choices, default=RfmSegment.HIBERNATING
    )
    value_segment = models.CharField(
        _("value segment"),
        max_length=16,
        choices=ValueSegment.choices,
        default=ValueSegment.UNPROFITABLE,
    )
    p_alive = models.FloatField(_("probability still a customer"), null=True, blank=True)
    expected_purchases_90d = models.FloatField(
        _("expected orders, next 90 days"), null=True, blank=True
    )
    clv_cents = models.BigIntegerField(_("predicted value, next 12 months"), null=True, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-clv_cents", "customer_id"]
        indexes = [
            models.Index(fields=["shop", "rfm_segment"], name="customervalue_rfm"),
            models.Index(fields=["shop", "value_segment"], name="customervalue_value"),
        ]
        verbose_name = _("customer value")
        verbose_name_plural = _("customer values")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.rfm_segment}/{self.value_segment}"

    @property
    def churn_risk(self) -> float | None:
        return None if self.p_alive is None else 1.0 - self.p_alive


class DailyFigures(models.Model):
    """A shop's headline numbers for one day (a calendar day in the shop's time zone).

    The dashboard adds up thirty of these instead of the orders, refunds, returns and parcels
    behind them. The rows are a cache with exact invalidation: ``computed_at`` says when they
    were last checked, and any order, refund, return or parcel changed since then makes the
    days it belongs to be computed again (``aftersale.insights.daily``).
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="daily_figures")
    day = models.DateField(_("day"))
    currency = models.CharField(_("currency"), max_length=3)
    time_zone = models.CharField(_("time zone"), max_length=64)
    orders = models.IntegerField(_("orders"), default=0)
    revenue_cents = models.BigIntegerField(_("revenue"), default=0)
    refunds_cents = models.BigIntegerField(_("refunds"), default=0)
    unrefunded_returns_cents = models.BigIntegerField(_("returns not yet refunded"), default=0)
    unclaimed_parcels = models.IntegerField(_("unclaimed parcels"), default=0)
    computed_at = models.DateTimeField(_("checked at"))

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "day"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "day"], name="dailyfigures_one_per_day")
        ]
        verbose_name = _("daily figures")
        verbose_name_plural = _("daily figures")

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day}"
