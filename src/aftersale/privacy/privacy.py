"""What the privacy app itself holds about a customer (see registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.privacy.models import Erasure
from aftersale.privacy.registry import declare, keep

declare(
    Erasure,
    customer="customer",
    why=_("The record that the customer's data was erased, and when."),
    erase=keep(_("The proof of the erasure holds no personal data.")),
)
