"""What the returns app holds about a customer (see aftersale/privacy/registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.privacy.registry import (
    anonymise,
    declare,
    declare_no_customer_data,
    delete,
    keep,
)
from aftersale.returns.models import (
    ReturnLine,
    ReturnPhoto,
    ReturnPolicy,
    ReturnRequest,
    StoreCredit,
    UnclaimedCase,
    Withdrawal,
    WithdrawalLine,
)
from aftersale.returns.withdrawals import erased_note

RETURN_RECORD = _(
    "A return and what was refunded for it: kept for the shop's accounting and return "
    "statistics, without the customer's words."
)

declare(
    ReturnRequest,
    customer="customer",
    why=RETURN_RECORD,
    erase=anonymise(note=""),
)
declare(
    ReturnLine,
    customer="return_request__customer",
    why=_("The items returned, the reason chosen and the customer's comment."),
    erase=anonymise(comment="", inspection_note=""),
)
declare(
    ReturnPhoto,
    customer="return_line__return_request__customer",
    why=_("Photos the customer sent of a returned item."),
    export=("id", "return_line_id", "content_type", "size_bytes", "created_at"),
    files=("file",),
    erase=delete(),
)
declare(
    StoreCredit,
    customer="customer",
    why=_("Store credit issued for a return: a debt of the shop, kept for accounting."),
    erase=keep(_("The credit code and amount are accounting records, not personal data.")),
)
declare(
    Withdrawal,
    customer="customer",
    why=_("The customer's notice of withdrawal and the refund deadline it set."),
    # An acknowledgement that was never sent keeps saying why (stopped by the erasure).
    erase=anonymise(
        acknowledgement_message_id="",
        acknowledgement_error=lambda row: "" if row.acknowledged_at else erased_note(),
    ),
)
declare(
    WithdrawalLine,
    customer="withdrawal__customer",
    why=_("The order lines a withdrawal covered."),
    erase=keep(_("Only order line references and quantities.")),
)
declare(
    UnclaimedCase,
    customer="order__customer",
    why=_("A parcel that came back unclaimed and the refund less the shop's fee."),
    erase=keep(_("Amounts and dates for accounting, no personal data.")),
)
declare_no_customer_data(ReturnPolicy, _("The shop's return rules and its own return address."))
