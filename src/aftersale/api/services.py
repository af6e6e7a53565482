"""What the API layer itself records: the integration log of inbound webhooks; and the hourly
job that forgets it, and the stored answers to Idempotency-Keys, once they are old."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from aftersale.api.idempotency import KEEP_FOR as ANSWERS_KEPT_FOR
from aftersale.api.models import IdempotentRequest, InboundWebhook
from aftersale.core.models import Shop
from aftersale.orders.ingest import Upserted

# The log is for finding out what a platform sent lately, not an archive.
KEEP_FOR = timedelta(days=30)


def outcome_of(result: Upserted) -> str:
    if result.stale:
        return InboundWebhook.Outcome.STALE
    return InboundWebhook.Outcome.STORED if result.changed else InboundWebhook.Outcome.UNCHANGED


def log_inbound_webhook(
    shop: Shop,
    *,
    source: str,
    topic: str,
    outcome: str,
    external_id: str = "",
    detail: str = "",
    source_updated_at=None,
) -> InboundWebhook:
    """Record one signed webhook and what became of it; entries older than ``KEEP_FOR`` go."""
    InboundWebhook.objects.for_shop(shop).filter(received_at__lt=timezone.now() - KEEP_FOR).delete()
    return InboundWebhook.objects.create(
        shop=shop,
        source=source,
        topic=topic[:100],
        external_id=external_id[:100],
        outcome=outcome,
        detail=detail[:500],
        source_updated_at=source_updated_at,
    )


def forget_expired(now=None) -> dict[str, int]:
    """Every shop's stored Idempotency-Key answers older than a day and integration log
    entries older than ``KEEP_FOR`` (they can name customers: see aftersale/api/privacy.py).
    Each shop's are also dropped when it next sends; this covers shops that stopped."""
    now = now or timezone.now()
    answers, _ = IdempotentRequest.objects.filter(created_at__lt=now - ANSWERS_KEPT_FOR).delete()
    log, _ = InboundWebhook.objects.filter(received_at__lt=now - KEEP_FOR).delete()
    return {"idempotency answers": answers, "inbound webhooks": log}
