"""What insights hold about a customer (see aftersale/privacy/registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.insights.models import CustomerValue, ShopInsight
from aftersale.privacy.registry import declare, declare_no_customer_data, delete

declare(
    CustomerValue,
    customer="customer",
    why=_("The customer's value after returns, segment and predicted value, computed nightly."),
    erase=delete(),
)
declare_no_customer_data(
    ShopInsight, _("The shop's fitted models and charts: totals and parameters, no one customer.")
)
