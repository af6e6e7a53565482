"""What insights hold about a customer (see aftersale/privacy/registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.insights.models import CustomerValue
from aftersale.privacy.registry import declare, delete

declare(
    CustomerValue,
    customer="customer",
    why=_("The customer's value after returns, segment and predicted value, computed nightly."),
    erase=delete(),
)
