"""The catalogue holds no customer's data (see aftersale/privacy/registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.catalog.models import Category, Product, ProductRelation, Variant
from aftersale.privacy.registry import declare_no_customer_data

for model in (Category, Product, Variant, ProductRelation):
    declare_no_customer_data(model, _("The shop's products, as its platform sends them."))
