"""What the core app holds (see aftersale/privacy/registry.py): shops, staff and background
jobs."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import ApiToken, JobRun, Shop
from aftersale.privacy.registry import anonymise, declare_mentions, declare_no_customer_data

declare_no_customer_data(Shop, _("The shop's own name, address and settings."))
declare_no_customer_data(ApiToken, _("The shop's API tokens, stored as hashes."))
declare_mentions(
    JobRun,
    find=lambda customer: (
        Q(last_error__icontains=customer.email) & ~Q(last_error="")
        if customer.email
        else Q(pk__in=[])
    ),
    why=_("When each background job last ran, and its last error (which may quote an address)."),
    erase=anonymise(last_error=""),
)
