"""What the API remembers between requests: the first answer to each Idempotency-Key."""

from __future__ import annotations

from django.db import models

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
