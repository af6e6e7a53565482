"""The customer timeline: one row per thing that happened, written by the domain services.

Flows, loyalty and analytics consume these rows; nothing polls other apps' tables for changes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet


class EventQuerySet(ShopOwnedQuerySet):
    def for_customer(self, customer) -> EventQuerySet:
        return self.filter(customer=customer)

    def about(self, subject_type: str, subject_id: int) -> EventQuerySet:
        return self.filter(subject_type=subject_type, subject_id=subject_id)


class Event(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="events")
    customer = models.ForeignKey(
        "orders.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(_("type"), max_length=64)
    subject_type = models.CharField(_("subject"), max_length=32)
    subject_id = models.BigIntegerField()
    payload = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["shop", "customer", "occurred_at"], name="event_customer_time"),
            models.Index(fields=["shop", "type", "occurred_at"], name="event_type_time"),
            models.Index(fields=["shop", "subject_type", "subject_id"], name="event_subject"),
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        when = f"{self.occurred_at:%Y-%m-%d %H:%M}"
        return f"{self.type} {self.subject_type}#{self.subject_id} at {when}"
