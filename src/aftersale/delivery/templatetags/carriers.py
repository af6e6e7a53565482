"""Carriers in the reader's words: ``{{ shipment.carrier|carrier_name }}`` gives "DB Schenker"
for "db_schenker", ``{{ event|carrier_event:shipment.carrier }}`` what a tracking event means in
the page's language (never the carrier's own text, which is in whatever language it sent)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from aftersale.delivery.carriers import display_name, event_text
from aftersale.delivery.models import ShipmentStatus, TrackingEvent

register = template.Library()


@register.filter
def carrier_name(value: str) -> str:
    return display_name(value or "")


@register.filter
def carrier_event(event: TrackingEvent, carrier: str) -> str:
    text = event_text(carrier, event.carrier_code)
    if event.status == ShipmentStatus.UNKNOWN:
        return text or _("Carrier event %(code)s") % {"code": event.carrier_code}
    status = str(event.get_status_display())
    if text and text.casefold() != status.casefold():
        return f"{status} – {text}"
    return status
