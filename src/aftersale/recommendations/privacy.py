"""Recommendations hold no customer's data (see aftersale/privacy/registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.privacy.registry import declare_no_customer_data
from aftersale.recommendations.models import BoughtTogether, RecommendationRule

declare_no_customer_data(
    BoughtTogether, _("Counts of customers per pair of products: no one customer.")
)
declare_no_customer_data(RecommendationRule, _("The staff's pins and blocks between two products."))
