"""What outgoing webhooks hold about a customer (see aftersale/privacy/registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.privacy.registry import declare, declare_no_customer_data, delete
from aftersale.webhooks.models import WebhookDelivery, WebhookEndpoint

declare(
    WebhookDelivery,
    customer="event__customer",
    why=_("Deliveries of the customer's events to the shop's own systems."),
    export=("event_id", "state", "attempts", "last_attempt_at", "response_status"),
    erase=delete(),
)
declare_no_customer_data(WebhookEndpoint, _("The shop's own URLs that receive its events."))
