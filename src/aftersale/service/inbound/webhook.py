"""Support mail from an e-mail provider: Anymail's ``inbound`` signal, sent for each message
its inbound webhook (``/webhooks/anymail/<provider>/inbound/``) receives, authenticated by
Anymail with ``ANYMAIL_WEBHOOK_SECRET`` (and the provider's signing key where it has one).

A message the pipeline cannot take now (the database away) raises, so that the provider
gets an error and sends it again; automatic, rate-limited and unusable mail (no sender we
could answer) is logged and answered 200 (a provider's retries would only repeat it).
"""

from __future__ import annotations

import logging

from anymail.signals import inbound
from django.core.exceptions import ValidationError
from django.dispatch import receiver

from aftersale.service.inbound.message import parse_message
from aftersale.service.inbound.receive import receive

logger = logging.getLogger("aftersale.service.mail")


@receiver(inbound, dispatch_uid="service.anymail_inbound")
def handle_inbound(sender, event, esp_name: str, **kwargs):
    message = event.message
    if message is None:
        return
    envelope_recipient = getattr(message, "envelope_recipient", None)
    mail = parse_message(
        message,
        envelope_sender=getattr(message, "envelope_sender", None),
        envelope_recipients=[envelope_recipient] if envelope_recipient else [],
    )
    try:
        deliveries = receive(mail)
    except ValidationError as error:
        logger.warning("%s inbound from %s refused: %s", esp_name, mail.sender, error)
        return
    if not deliveries:
        logger.warning("%s inbound: no shop receives mail at %s", esp_name, mail.header_recipients)
    for delivery in deliveries:
        logger.info("%s inbound for %s: %s", esp_name, delivery.route.shop.slug, delivery.outcome)
