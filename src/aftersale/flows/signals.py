"""Hooks into other parts: a new shop gets the built-in flows; Anymail's tracking webhooks
report bounces, complaints and provider-side unsubscribes."""

from __future__ import annotations

import logging

from anymail.signals import tracking
from django.db.models.signals import post_save
from django.dispatch import receiver

from aftersale.core.models import Shop
from aftersale.flows import services

logger = logging.getLogger("aftersale.flows")


@receiver(post_save, sender=Shop, dispatch_uid="flows.install_builtin_flows")
def install_for_new_shop(sender, instance: Shop, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        services.install_builtin_flows(instance)


@receiver(tracking, dispatch_uid="flows.anymail_tracking")
def handle_tracking(sender, event, esp_name: str, **kwargs):
    applied = services.record_tracking(
        event_type=event.event_type,
        message_id=str(event.message_id or ""),
        recipient=event.recipient or "",
        description=event.description or event.reject_reason or "",
    )
    logger.info(
        "%s tracking %s for %s applied to %d message(s)",
        esp_name,
        event.event_type,
        event.recipient,
        applied,
    )
