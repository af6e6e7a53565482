"""What the API remembers between requests: the first answer to each Idempotency-Key, and the
log of inbound webhooks."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet


class IdempotentRequest(models.Model):
    """A write request sent with an ``Idempotency-Key``; a repeat gets ``status``/``body`` back.

    ``status`` is null while the first request is still running.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "key"], name="idempotent_request_unique_key")
        ]

    def __str__(self) -> str:
        return self.key


class InboundWebhook(models.Model):
    """One signed webhook a shop platform sent, and what became of it: the integration log."""

    class Outcome(models.TextChoices):
        STORED = "stored", _("stored")
        UNCHANGED = "unchanged", _("unchanged (a repeat)")
        STALE = "stale", _("ignored: older than the stored version")
        REFUSED = "refused", _("refused: invalid")
        IGNORED = "ignored", _("ignored: topic not handled")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=20)
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    source_updated_at = models.DateTimeField(_("changed at the source"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["shop", "-received_at"], name="inbound_webhook_recent")]

    def __str__(self) -> str:
        return f"{self.source} {self.topic} {self.external_id}"
