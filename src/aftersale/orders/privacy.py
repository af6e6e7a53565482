"""What the orders app holds about a customer (see aftersale/privacy/registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.orders.models import Customer, Order, OrderLine, Payment, Refund
from aftersale.privacy.registry import anonymise, declare, keep

ACCOUNTING = _(
    "Accounting record: kept without personal data for the shop's accounting period "
    "(6 years in Finland), then removed by the retention rules."
)

declare(
    Customer,
    customer="",
    why=_("Who the customer is and how to reach them: name, e-mail, phone, address, consent."),
    erase=anonymise(
        external_id=lambda customer: f"erased-{customer.pk}",
        email="",
        phone="",
        first_name="",
        last_name="",
        street="",
        postcode="",
        city="",
        marketing_consent=False,
        consent_at=None,
        consent_source="",
        consent_wording_version="",
    ),
)
declare(
    Order,
    customer="customer",
    why=ACCOUNTING,
    erase=anonymise(
        ship_name="",
        ship_street="",
        ship_postcode="",
        ship_city="",
        ship_phone="",
        address_check={},
    ),
)
declare(OrderLine, customer="order__customer", why=ACCOUNTING, erase=keep(ACCOUNTING))
declare(Payment, customer="order__customer", why=ACCOUNTING, erase=keep(ACCOUNTING))
declare(Refund, customer="order__customer", why=ACCOUNTING, erase=anonymise(reason=""))
