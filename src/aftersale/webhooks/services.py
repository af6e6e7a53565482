"""A shop subscribes its URLs to Aftersale events, and stops."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from aftersale.core.models import Shop
from aftersale.timeline import types
from aftersale.webhooks import addresses
from aftersale.webhooks.models import WebhookEndpoint

# Every event type on the timeline may be subscribed to.
EVENT_TYPES = sorted(
    value for name, value in vars(types).items() if name.isupper() and isinstance(value, str)
)


def add_webhook_endpoint(shop: Shop, *, url: str, event_types: list[str]) -> WebhookEndpoint:
    """Subscribe ``url`` to ``event_types`` (every event if empty)."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": _("Enter a full http:// or https:// address.")}) from None
    try:
        addresses.check_url(url)
    except addresses.RefusedAddress as refused:
        raise ValidationError(
            {
                "url": _(
                    "%(host)s is an address inside this server's network (%(address)s). Webhooks "
                    "go to public addresses only; the operator can allow a private network with "
                    "WEBHOOKS_ALLOWED_NETWORKS."
                )
                % {"host": refused.host, "address": refused.address}
            }
        ) from None
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            {"event_types": _("Unknown event types: %(types)s") % {"types": ", ".join(unknown)}}
        )
    return WebhookEndpoint.objects.create(shop=shop, url=url, event_types=list(event_types))


def remove_webhook_endpoint(shop: Shop, endpoint_id: int) -> None:
    WebhookEndpoint.objects.for_shop(shop).filter(pk=endpoint_id).delete()
