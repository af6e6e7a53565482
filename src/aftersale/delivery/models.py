"""Parcels on their way: pickup points, shipments with a holding deadline, tracking events."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped


def new_tracking_token() -> str:
    return secrets.token_urlsafe(24)


class PickupPoint(TimeStamped):
    class Kind(models.TextChoices):
        COUNTER = "counter", _("Service counter")
        LOCKER = "locker", _("Parcel locker")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="pickup_points")
    carrier = models.CharField(_("carrier"), max_length=40)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COUNTER)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="FI")
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["carrier", "name"]
        verbose_name = _("pickup point")
        verbose_name_plural = _("pickup points")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "carrier", "code"], name="pickup_point_unique_code"
            )
        ]

    def __str__(self) -> str:
        from aftersale.delivery.carriers import display_name  # the carriers read these models

        return f"{self.name} ({display_name(self.carrier)})"


class ShipmentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    SHIPPED = "shipped", _("Shipped")
    IN_TRANSIT = "in_transit", _("In transit")
    READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
    DELIVERED = "delivered", _("Delivered")
    PICKED_UP = "picked_up", _("Picked up")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    RETURNED_TO_SENDER = "returned_to_sender", _("Returned to sender (unclaimed)")
    UNKNOWN = "unknown", _("Unknown carrier event")


RECEIVED_STATUSES = (ShipmentStatus.DELIVERED, ShipmentStatus.PICKED_UP)


# A parcel that came back to the shop unclaimed (the partial indexes below and the unclaimed
# report's selectors use this very condition, so that PostgreSQL matches them).
UNCLAIMED_PARCEL = models.Q(status=ShipmentStatus.RETURNED_TO_SENDER) | models.Q(
    returned_at__isnull=False
)


class Shipment(TimeStamped):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="shipments")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="shipments")
    external_id = models.CharField(_("external id"), max_length=100)
    carrier = models.CharField(_("carrier"), max_length=40)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.CREATED
    )
    pickup_point = models.ForeignKey(
        PickupPoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="shipments"
    )
    held_until = models.DateTimeField(_("held until"), null=True, blank=True)
    expected_delivery = models.DateField(_("expected delivery"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    ready_at = models.DateTimeField(_("ready for pickup at"), null=True, blank=True)
    received_at = models.DateTimeField(
        _("received at"), null=True, blank=True, help_text=_("Delivered or picked up.")
    )
    returned_at = models.DateTimeField(_("returned to sender at"), null=True, blank=True)
    # When the sending system last changed the shipment; an older update is ignored.
    source_updated_at = models.DateTimeField(_("changed at the source"), null=True, blank=True)
    tracking_token = models.CharField(max_length=40, unique=True, default=new_tracking_token)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            models.UniqueConstraint(fields=["shop", "external_id"], name="shipment_unique_external")
        ]
        indexes = [
            models.Index(fields=["shop", "status", "held_until"], name="shipment_waiting"),
            models.Index(fields=["shop", "tracking_number"], name="shipment_tracking_number"),
            models.Index(fields=["shop", "updated_at", "id"], name="shipment_shop_updated"),
            models.Index(fields=["shop", "status", "returned_at"], name="shipment_returned"),
            # The unclaimed report's live parts: parcels by the day they were sent ...
            models.Index("shop", Coalesce("shipped_at", "created_at"), name="shipment_sent"),
            # ... its customers, from the unclaimed parcels only ...
            models.Index(
                "shop",
                Coalesce("shipped_at", "created_at"),
                condition=UNCLAIMED_PARCEL,
                name="shipment_unclaimed_sent",
            ),
            # ... and the customers flagged for leaving parcels, by when the parcel came back.
            models.Index(
                "shop",
                Coalesce("returned_at", "updated_at"),
                condition=UNCLAIMED_PARCEL,
                name="shipment_unclaimed_back",
            ),
        ]

    def __str__(self) -> str:
        from aftersale.delivery.carriers import display_name  # the carriers read these models

        return f"{display_name(self.carrier)} {self.tracking_number or self.external_id}"


class TrackingEvent(models.Model):
    """One carrier event. ``carrier_code`` is kept as sent; ``status`` is its neutral meaning."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="tracking_events")
    carrier_code = models.CharField(_("carrier's code"), max_length=60)
    status = models.CharField(_("status"), max_length=20, choices=ShipmentStatus.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "carrier_code", "occurred_at"], name="tracking_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.carrier_code} at {self.occurred_at:%Y-%m-%d %H:%M}"


class DeliveryCosts(TimeStamped):
    """What an unclaimed parcel costs this shop: the figures behind the unclaimed report.

    Defaults are typical Finnish pickup-point prices for a small shop; the owner sets their own.
    """

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="delivery_costs")
    outbound_cents = models.PositiveIntegerField(_("outbound shipping (cents)"), default=690)
    return_cents = models.PositiveIntegerField(_("return leg (cents)"), default=690)
    handling_cents = models.PositiveIntegerField(_("handling (cents)"), default=500)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop"]
        verbose_name = _("delivery costs")
        verbose_name_plural = _("delivery costs")

    def __str__(self) -> str:
        return f"{self.shop}: {self.outbound_cents}+{self.return_cents}+{self.handling_cents}"


class UnclaimedDay(models.Model):
    """One day (in the shop's time zone) of the unclaimed report, stored: the day's parcels
    counted by delivery method, carrier and pickup point in ``UnclaimedCount`` rows of the
    same shop and day.

    Like the dashboard's ``DailyFigures`` this is a cache with exact invalidation: a parcel
    or its order changed since ``computed_at`` makes the day it was sent be counted again
    (``aftersale.delivery.selectors.refresh_unclaimed_days``).
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    computed_at = models.DateTimeField(_("checked at"))

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "day"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "day"], name="unclaimedday_one_per_day")
        ]
        verbose_name = _("unclaimed parcels of a day")
        verbose_name_plural = _("unclaimed parcels of days")

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day}"


class UnclaimedCount(models.Model):
    """Parcels sent on one stored day (an ``UnclaimedDay``) that reached the customer, and how
    many of them came back unclaimed, for one delivery method × carrier × pickup point."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    delivery_method = models.CharField(_("delivery method"), max_length=20, blank=True)
    carrier = models.CharField(_("carrier"), max_length=40)
    # The point's id, not a key: a deleted point keeps its history.
    pickup_point_id = models.BigIntegerField(_("pickup point"), null=True, blank=True)
    shipments = models.IntegerField(_("parcels"), default=0)
    unclaimed = models.IntegerField(_("unclaimed parcels"), default=0)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "day", "id"]
        indexes = [models.Index(fields=["shop", "day"], name="unclaimedcount_shop_day")]
        verbose_name = _("unclaimed parcel count")
        verbose_name_plural = _("unclaimed parcel counts")

    def __str__(self) -> str:
        return f"{self.day} {self.carrier} {self.unclaimed}/{self.shipments}"


class UnclaimedByCustomer(models.Model):
    """Parcels sent on one stored day (an ``UnclaimedDay``) that came back unclaimed, for one
    customer × carrier: the report ranks its customers from these, not from the parcels."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    # The customer's id, not a key: erasing a customer goes through the parcels' orders.
    customer_id = models.BigIntegerField(_("customer"))
    carrier = models.CharField(_("carrier"), max_length=40)
    unclaimed = models.IntegerField(_("unclaimed parcels"), default=0)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "day", "id"]
        indexes = [models.Index(fields=["shop", "day"], name="unclaimedbycustomer_shop_day")]
        verbose_name = _("unclaimed parcels of a customer")
        verbose_name_plural = _("unclaimed parcels of customers")

    def __str__(self) -> str:
        return f"{self.day} {self.customer_id} {self.unclaimed}"
