"""What the delivery app holds about a customer (see aftersale/privacy/registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.delivery.models import PickupPoint, Shipment, TrackingEvent
from aftersale.privacy.registry import anonymise, declare, declare_no_customer_data, delete

declare(
    Shipment,
    customer="order__customer",
    why=_("The parcel of an order: carrier, status and holding dates, for delivery follow-up."),
    secret=("tracking_token",),
    erase=anonymise(tracking_number=""),
)
declare(
    TrackingEvent,
    customer="shipment__order__customer",
    why=_("Where the parcel has been, as the carrier reported it."),
    erase=delete(),
)
declare_no_customer_data(PickupPoint, _("Carriers' pickup points and their opening hours."))
