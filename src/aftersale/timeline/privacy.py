"""What the timeline holds about a customer (see aftersale/privacy/registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.privacy.registry import declare, delete
from aftersale.timeline.models import Event

declare(
    Event,
    customer="customer",
    why=_("Everything that happened to the customer's orders, parcels, returns and messages."),
    export=("type", "subject_type", "subject_id", "payload", "occurred_at"),
    erase=delete(),
)
