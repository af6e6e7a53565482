"""The shop's retention rules, applied nightly: what is older than the shop keeps goes.

``preview_retention`` counts what the next run removes (shown on the privacy settings page);
``apply_retention`` removes it, a chunk at a time. Support tickets go ``ticket_years`` after
they were last touched, once they are solved, closed, spam or merged (with their messages and
attached files).
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop
from aftersale.delivery.models import TrackingEvent
from aftersale.flows.models import Message
from aftersale.orders.models import Customer, Order
from aftersale.privacy.models import Erasure, PrivacySettings
from aftersale.returns.models import ReturnPhoto
from aftersale.service.models import UNRESOLVED_STATES, Ticket, TicketAttachment

logger = logging.getLogger("aftersale.privacy")

CHUNK = 1000
ADDRESS_FIELDS = ("ship_name", "ship_street", "ship_postcode", "ship_city", "ship_phone")


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the last day if shorter)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class Rule:
    """One kind of data the shop keeps only for a while: which rows are due and what to do."""

    key: str
    label: str
    due: Callable[[Shop, PrivacySettings, datetime], models.QuerySet | None]
    remove: Callable[[models.QuerySet], None]


def _old_message_bodies(shop, settings, now):
    if settings.message_body_months is None:
        return None
    cutoff = months_before(now, settings.message_body_months)
    return Message.objects.for_shop(shop).filter(created_at__lt=cutoff).exclude(body="")


def _old_return_photos(shop, settings, now):
    if settings.return_photo_days is None:
        return None
    cutoff = now - timedelta(days=settings.return_photo_days)
    return ReturnPhoto.objects.for_shop(shop).filter(
        return_line__return_request__closed_at__lt=cutoff
    )


def _old_tracking_events(shop, settings, now):
    if settings.delivery_data_months is None:
        return None
    cutoff = months_before(now, settings.delivery_data_months)
    return TrackingEvent.objects.for_shop(shop).filter(shipment__order__placed_at__lt=cutoff)


def _old_delivery_addresses(shop, settings, now):
    if settings.delivery_data_months is None:
        return None
    cutoff = months_before(now, settings.delivery_data_months)
    has_address = models.Q()
    for name in ADDRESS_FIELDS:
        has_address |= ~models.Q(**{name: ""})
    return Order.objects.for_shop(shop).filter(has_address, placed_at__lt=cutoff)


def _accounting_past_retention(shop, settings, now):
    """Orders of erased customers older than the accounting period (with their payments,
    refunds, lines, parcels and returns)."""
    cutoff = months_before(now, settings.accounting_years * 12)
    erased = Erasure.objects.for_shop(shop).filter(state=Erasure.State.DONE)
    return Order.objects.for_shop(shop).filter(
        placed_at__lt=cutoff, customer_id__in=erased.values("customer_id")
    )


def _old_tickets(shop, settings, now):
    if settings.ticket_years is None:
        return None
    cutoff = months_before(now, settings.ticket_years * 12)
    return (
        Ticket.objects.for_shop(shop)
        .filter(updated_at__lt=cutoff)
        .exclude(state__in=UNRESOLVED_STATES)
    )


def _clear_bodies(rows):
    rows.update(body="", subject="", updated_at=timezone.now())


def _delete_photos(rows):
    for photo in rows:
        photo.file.delete(save=False)
    rows.delete()


def _clear_addresses(rows):
    rows.update(**dict.fromkeys(ADDRESS_FIELDS, ""), address_check={}, updated_at=timezone.now())


def _delete_orders(rows):
    customer_ids = set(rows.values_list("customer_id", flat=True))
    rows.delete()
    Customer.objects.filter(pk__in=customer_ids, orders__isnull=True).delete()


def _delete(rows):
    rows.delete()


def _delete_tickets(rows):
    for attachment in TicketAttachment.objects.filter(message__ticket__in=rows):
        attachment.file.delete(save=False)
    rows.delete()


RULES = [
    Rule("message_bodies", _("Texts of sent messages"), _old_message_bodies, _clear_bodies),
    Rule("return_photos", _("Photos of closed returns"), _old_return_photos, _delete_photos),
    Rule("tracking_events", _("Tracking events of old orders"), _old_tracking_events, _delete),
    Rule(
        "delivery_addresses",
        _("Delivery addresses of old orders"),
        _old_delivery_addresses,
        _clear_addresses,
    ),
    Rule(
        "tickets", _("Support tickets, solved and untouched since"), _old_tickets, _delete_tickets
    ),
    Rule(
        "accounting_records",
        _("Accounting records of erased customers past the accounting period"),
        _accounting_past_retention,
        _delete_orders,
    ),
]


def _settings_for(shop) -> PrivacySettings:
    return PrivacySettings.objects.filter(shop=shop).first() or PrivacySettings(shop=shop)


def preview_retention(shop, settings: PrivacySettings | None, now: datetime) -> list[dict]:
    """What the next run would remove: one row per rule with its count (None: rule is off)."""
    settings = settings or _settings_for(shop)
    preview = []
    for rule in RULES:
        rows = rule.due(shop, settings, now)
        preview.append(
            {"key": rule.key, "label": rule.label, "count": None if rows is None else rows.count()}
        )
    return preview


def apply_retention(shop, now: datetime | None = None) -> dict[str, int]:
    """Remove what the shop's rules say is due, ``CHUNK`` rows per transaction."""
    now = now or timezone.now()
    settings = _settings_for(shop)
    counts: dict[str, int] = {}
    for rule in RULES:
        while True:
            rows = rule.due(shop, settings, now)
            if rows is None:
                break
            pks = list(rows.order_by("pk").values_list("pk", flat=True)[:CHUNK])
            if not pks:
                break
            with transaction.atomic():
                rule.remove(rows.model._default_manager.filter(pk__in=pks))
            counts[rule.key] = counts.get(rule.key, 0) + len(pks)
    if counts:
        logger.info("retention for shop %s: %s", shop.pk, counts)
    return counts


def apply_retention_everywhere() -> None:
    """The nightly job: every shop's rules, one shop after the other."""
    for shop in Shop.objects.order_by("pk"):
        apply_retention(shop)
