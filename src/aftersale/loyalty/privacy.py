"""What the loyalty app holds about a customer (see aftersale/privacy/registry.py).

Ledger entries are anonymised, not deleted: the customer row itself stays (anonymised) as the
orders' owner, and the shop's liability report and the ledger's reconciliation need every
entry's points. Only the free-text reason (which staff may have written about the person) is
blanked; amounts, dates and sources are bookkeeping.
"""

from django.utils.translation import gettext_lazy as _

from aftersale.loyalty.models import CustomerPoints, EffectReport, LedgerEntry, LiabilitySlot
from aftersale.privacy.registry import anonymise, declare, declare_no_customer_data, keep

declare(
    LedgerEntry,
    customer="customer",
    why=_(
        "The customer's loyalty points: what was earned, vested, redeemed, reversed or adjusted, "
        "and why. Kept for the shop's points liability; the reasons are blanked."
    ),
    export=(
        "id",
        "kind",
        "points",
        "pending_points",
        "state",
        "vests_on",
        "source_type",
        "source_id",
        "order_id",
        "amount_cents",
        "rule_id",
        "reason",
        "created_at",
    ),
    erase=anonymise(reason=""),
)
declare(
    CustomerPoints,
    customer="customer",
    why=_("The customer's loyalty balance and tier, summed from their ledger."),
    erase=keep(
        _("Point balances and a tier: numbers for the shop's liability, not personal data.")
    ),
)

declare_no_customer_data(
    LiabilitySlot, _("A shop's outstanding points in total; no one customer's figures.")
)
declare_no_customer_data(
    EffectReport, _("Totals comparing members with matched non-members; no one customer's figures.")
)

from aftersale.loyalty import privacy_rewards  # noqa: E402, F401  (rewards and referrals)
