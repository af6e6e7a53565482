"""What the API layer holds about a customer (see aftersale/privacy/registry.py): no foreign
keys, but stored answers and the integration log can name them."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersale.api.models import IdempotentRequest, InboundWebhook
from aftersale.privacy.registry import declare_mentions, delete, mentions

declare_mentions(
    IdempotentRequest,
    find=lambda customer: mentions(customer, "body"),
    why=_(
        "The first answer to an API write sent with an Idempotency-Key, kept for a day so "
        "that a repeat gets the same answer; it names the customer's id when the write was "
        "about them."
    ),
    export=("key", "status", "body", "created_at"),
    erase=delete(),
)
declare_mentions(
    InboundWebhook,
    find=lambda customer: (
        Q(external_id=customer.external_id) & ~Q(external_id="") | mentions(customer, "detail")
    ),
    why=_(
        "The log of webhooks the shop platform sent (30 days): the customer's id when a "
        "webhook was about them."
    ),
    erase=delete(),
)
