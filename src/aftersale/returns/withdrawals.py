"""The online withdrawal function (CRD Art. 11a): recording a consumer's notice of withdrawal,
acknowledging it on a durable medium at once, and refunding within the legal deadline.

A withdrawal is not a return request: it asks for no reason and no return method, only which
order (or which of its lines) the consumer withdraws from. The notice and its timeline event
are written in one transaction; the acknowledgement e-mail goes out right after the commit and
is re-sent by the worker (``resend_unsent_acknowledgements``) until it has been accepted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.mail.message import make_msgid
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from aftersale.catalog.models import Category
from aftersale.core.models import Shop
from aftersale.core.worker import check_stop
from aftersale.orders.balance import order_balance
from aftersale.orders.models import Order, OrderLine, Refund
from aftersale.returns import deadlines, policy
from aftersale.returns.acknowledgement import acknowledgement_message
from aftersale.returns.models import Withdrawal, WithdrawalLine
from aftersale.timeline import lag, types
from aftersale.timeline.services import record_event

logger = logging.getLogger("aftersale.withdrawals")

MAX_ACKNOWLEDGEMENT_ATTEMPTS = 100

# The legal exceptions to the right of withdrawal (CRD Art. 16) that the catalogue knows of.
# A shop's own "final sale" is not one of them: final-sale goods may still be withdrawn from.
EXEMPT = {
    Category.NonReturnable.HYGIENE,
    Category.NonReturnable.PERSONALISED,
    Category.NonReturnable.PERISHABLE,
}


class WithdrawalRefused(Exception):
    """The notice cannot be accepted; ``message`` says why, ``complaint_possible`` whether the
    customer can still report a defect instead."""

    def __init__(self, message: str, *, complaint_possible: bool = False, field: str = ""):
        super().__init__(message)
        self.message = message
        self.complaint_possible = complaint_possible
        self.field = field


@dataclass
class WithdrawableLine:
    line: OrderLine
    can_withdraw: bool
    reason: str = ""


def withdrawable_lines(order: Order) -> list[WithdrawableLine]:
    """Every line of the order with whether the consumer may still withdraw from it."""
    withdrawn = set(
        WithdrawalLine.objects.for_shop(order.shop_id)
        .filter(order_line__order=order)
        .values_list("order_line_id", flat=True)
    )
    result = []
    for line in order.lines.select_related("variant__product__category").order_by("id"):
        category = line.variant.product.category if line.variant_id else None
        if line.pk in withdrawn:
            result.append(WithdrawableLine(line, False, _("Already withdrawn.")))
        elif category is not None and category.non_returnable in EXEMPT:
            result.append(WithdrawableLine(line, False, policy.non_returnable_reason(line)))
        else:
            result.append(WithdrawableLine(line, True))
    return result


def refusal(order: Order, *, now: datetime | None = None) -> WithdrawalRefused | None:
    """Why the consumer can no longer withdraw from ``order`` at all, else None."""
    now = now or timezone.now()
    if order.status == Order.Status.CANCELLED:
        return WithdrawalRefused(_("This order was cancelled: there is nothing to withdraw from."))
    period = deadlines.withdrawal_period(order)
    if not period.is_open(now):
        day = formats.date_format(period.ends_at.astimezone(ZoneInfo(order.shop.time_zone)).date())
        return WithdrawalRefused(
            _(
                "The withdrawal period for this order ended on %(date)s (14 days after you "
                "received the goods), so it can no longer be withdrawn from. If an item is "
                "defective or not what you ordered, you can still report it as a complaint."
            )
            % {"date": day},
            complaint_possible=True,
        )
    if not any(item.can_withdraw for item in withdrawable_lines(order)):
        return WithdrawalRefused(_("Every item of this order has already been withdrawn from."))
    return None


def withdrawal_payload(withdrawal: Withdrawal) -> dict:
    """What a customer notice or an outbound webhook needs, without a lookup."""
    return {
        "code": withdrawal.code,
        "order_number": withdrawal.order.number,
        "order_external_id": withdrawal.order.external_id,
        "whole_order": withdrawal.whole_order,
        "notified_at": withdrawal.notified_at.isoformat(),
        "refund_due_at": withdrawal.refund_due_at.isoformat(),
        "period_extended": withdrawal.period_extended,
        "lines": [
            {
                "order_line_external_id": item.order_line.external_id,
                "sku": item.order_line.sku,
                "name": item.order_line.name,
                "quantity": item.quantity,
            }
            for item in withdrawal.lines.select_related("order_line")
        ],
    }


@transaction.atomic
def notify_withdrawal(
    shop: Shop,
    order: Order,
    *,
    line_ids: list[int] | None = None,
    language: str = "",
    now: datetime | None = None,
) -> Withdrawal:
    """Record the consumer's notice of withdrawal from ``order`` (all lines still open, or the
    chosen ``line_ids``) at this exact moment, and send the acknowledgement after the commit.

    Raises ``WithdrawalRefused`` (nothing written) after the period or for lines that cannot be
    withdrawn from.
    """
    now = now or timezone.now()
    order = (
        Order.objects.for_shop(shop)
        .select_for_update()
        .select_related("shop", "customer")
        .get(pk=order.pk)
    )
    refused = refusal(order, now=now)
    if refused is not None:
        raise refused
    items = withdrawable_lines(order)
    open_ids = [item.line.pk for item in items if item.can_withdraw]
    chosen = open_ids
    if line_ids is not None:
        chosen = [pk for pk in open_ids if pk in set(line_ids)]
        if not chosen:
            raise WithdrawalRefused(
                _("Choose at least one of the items you can still withdraw from."), field="lines"
            )
        if set(line_ids) - set(open_ids):
            raise WithdrawalRefused(
                _("One of the chosen items cannot be withdrawn from; choose again."),
                field="lines",
            )
    period = deadlines.withdrawal_period(order)
    withdrawal = Withdrawal.objects.create(
        shop=shop,
        order=order,
        customer=order.customer,
        whole_order=len(chosen) == len(items),
        notified_at=now,
        period_ends_at=period.ends_at,
        period_extended=period.extended and now > period.normal_end,
        refund_due_at=deadlines.refund_due(now),
        language=language or order.customer.language or shop.default_language,
        acknowledgement_message_id=make_msgid(domain="aftersale"),
    )
    lines = {item.line.pk: item.line for item in items}
    WithdrawalLine.objects.bulk_create(
        [
            WithdrawalLine(
                shop=shop, withdrawal=withdrawal, order_line_id=pk, quantity=lines[pk].quantity
            )
            for pk in chosen
        ]
    )
    record_event(
        shop,
        types.WITHDRAWAL_NOTIFIED,
        subject=withdrawal,
        customer=withdrawal.customer,
        payload=withdrawal_payload(withdrawal),
        occurred_at=now,
    )
    withdrawal_id = withdrawal.pk
    transaction.on_commit(lambda: send_acknowledgement(shop, withdrawal_id))
    return withdrawal


def send_acknowledgement(shop: Shop, withdrawal_id: int) -> bool:
    """E-mail the acknowledgement with its PDF unless it was already sent; True when it is.
    A failure is recorded on the withdrawal (shown in the back-office) and retried later."""
    withdrawal = (
        Withdrawal.objects.for_shop(shop)
        .select_related("shop", "order", "customer")
        .filter(pk=withdrawal_id)
        .first()
    )
    if withdrawal is None:
        return False
    if withdrawal.acknowledged_at is not None:
        return True
    if withdrawal.acknowledgement_attempts >= MAX_ACKNOWLEDGEMENT_ATTEMPTS:
        return False  # given up, or stopped by an erasure: the back-office says why
    if not withdrawal.customer.email:
        Withdrawal.objects.for_shop(shop).filter(pk=withdrawal.pk).update(
            acknowledgement_attempts=MAX_ACKNOWLEDGEMENT_ATTEMPTS,
            acknowledgement_error=_("The customer has no e-mail address: send a copy by post."),
        )
        return False
    try:
        acknowledgement_message(withdrawal).send()
    except Exception as exc:  # the SMTP server refused or was unreachable: retry later
        logger.warning("acknowledgement of withdrawal %s not sent: %s", withdrawal.code, exc)
        Withdrawal.objects.for_shop(shop).filter(pk=withdrawal.pk).update(
            acknowledgement_attempts=withdrawal.acknowledgement_attempts + 1,
            acknowledgement_error=f"{type(exc).__name__}: {exc}"[:300],
        )
        return False
    _record_acknowledged(shop, withdrawal.pk)
    return True


@transaction.atomic
def _record_acknowledged(shop: Shop, withdrawal_id: int) -> None:
    withdrawal = Withdrawal.objects.for_shop(shop).select_for_update().get(pk=withdrawal_id)
    now = timezone.now()
    withdrawal.acknowledged_at = now
    withdrawal.acknowledgement_attempts += 1
    withdrawal.acknowledgement_error = ""
    withdrawal.save(
        update_fields=[
            "acknowledged_at",
            "acknowledgement_attempts",
            "acknowledgement_error",
            "updated_at",
        ]
    )
    record_event(
        shop,
        types.WITHDRAWAL_ACKNOWLEDGED,
        subject=withdrawal,
        customer=withdrawal.customer,
        payload={
            "code": withdrawal.code,
            "order_number": withdrawal.order.number,
            "message_id": withdrawal.acknowledgement_message_id,
        },
        occurred_at=now,
    )


def erased_note() -> str:
    return _("Not sent: the customer's personal data was erased.")


def stop_acknowledgements(shop: Shop, customer) -> int:
    """The customer's data is being erased: acknowledgements not sent yet are never retried
    (the back-office shows why). Returns how many were stopped."""
    return (
        Withdrawal.objects.for_shop(shop)
        .filter(customer=customer, acknowledged_at=None)
        .update(
            acknowledgement_attempts=MAX_ACKNOWLEDGEMENT_ATTEMPTS,
            acknowledgement_error=erased_note(),
            updated_at=timezone.now(),
        )
    )


def resend_unsent_acknowledgements(*, now: datetime | None = None) -> int:
    """The worker's job: send every acknowledgement that has not gone out yet, for notices
    given within ``lag.WITHDRAWAL_ACKNOWLEDGEMENTS`` (older ones, e.g. imported, are shown in
    the back-office instead). Stops between two e-mails when the worker is asked to stop.
    Returns how many were sent now."""
    since = lag.cutoff(lag.WITHDRAWAL_ACKNOWLEDGEMENTS, now)
    sent = 0
    for shop in Shop.objects.filter(withdrawals__acknowledged_at=None).distinct():
        pending = Withdrawal.objects.for_shop(shop).filter(
            acknowledged_at=None,
            acknowledgement_attempts__lt=MAX_ACKNOWLEDGEMENT_ATTEMPTS,
            notified_at__gte=since,
        )
        for withdrawal_id in pending.values_list("pk", flat=True)[:200]:
            check_stop()
            sent += send_acknowledgement(shop, withdrawal_id)
    return sent


@transaction.atomic
def mark_goods_back(shop: Shop, withdrawal: Withdrawal, *, now: datetime | None = None):
    """The goods are back, or the consumer showed proof of sending: the shop may no longer hold
    the refund."""
    now = now or timezone.now()
    withdrawal = Withdrawal.objects.for_shop(shop).select_for_update().get(pk=withdrawal.pk)
    if withdrawal.goods_back_at is None:
        withdrawal.goods_back_at = now
        withdrawal.save(update_fields=["goods_back_at", "updated_at"])
        record_event(
            shop,
            types.WITHDRAWAL_GOODS_BACK,
            subject=withdrawal,
            customer=withdrawal.customer,
            payload={"code": withdrawal.code, "order_number": withdrawal.order.number},
            occurred_at=now,
        )
    return withdrawal


def refund_amount(withdrawal: Withdrawal) -> int:
    """The withdrawn goods at the price paid, plus the standard delivery when the whole order
    was withdrawn, never more than paid minus already refunded."""
    goods = sum(
        item.quantity * item.order_line.unit_price_cents
        for item in withdrawal.lines.select_related("order_line")
    )
    if withdrawal.whole_order:
        goods += withdrawal.order.shipping_cents
    cap = order_balance(withdrawal.order).refundable_cents
    return max(0, min(goods, cap))


@transaction.atomic
def refund_withdrawal(
    shop: Shop, withdrawal: Withdrawal, *, amount_cents: int | None = None, now=None
) -> Withdrawal:
    """Record the refund of a withdrawal and whether it was paid by the legal deadline."""
    now = now or timezone.now()
    withdrawal = (
        Withdrawal.objects.for_shop(shop)
        .select_for_update()
        .select_related("order", "customer")
        .get(pk=withdrawal.pk)
    )
    if withdrawal.refund_id is not None:
        raise ValueError(_("This withdrawal has already been refunded."))
    computed = refund_amount(withdrawal)
    amount = computed if amount_cents is None else amount_cents
    if amount < 0 or amount > computed:
        raise ValueError(
            _("The refund must be between 0 and %(max)s.") % {"max": f"{computed / 100:.2f}"}
        )
    withdrawal.refund = Refund.objects.create(
        shop=shop,
        order=withdrawal.order,
        external_id=f"withdrawal-{withdrawal.code}",
        amount_cents=amount,
        currency=withdrawal.order.currency,
        reason=_("Withdrawal %(code)s") % {"code": withdrawal.code},
        refunded_at=now,
    )
    withdrawal.refunded_on_time = deadlines.paid_on_time(withdrawal.refund_due_at, now)
    withdrawal.save(update_fields=["refund", "refunded_on_time", "updated_at"])
    record_event(
        shop,
        types.WITHDRAWAL_REFUNDED,
        subject=withdrawal,
        customer=withdrawal.customer,
        payload={
            **withdrawal_payload(withdrawal),
            "refund_cents": amount,
            "currency": withdrawal.order.currency,
            "on_time": withdrawal.refunded_on_time,
        },
        occurred_at=now,
    )
    return withdrawal


@transaction.atomic
def save_withdrawal_settings(shop: Shop, **values):
    """Create or update the shop's withdrawal settings (informed flag, unclaimed-parcel fee)."""
    from aftersale.returns.models import WithdrawalSettings

    saved, _created = WithdrawalSettings.objects.update_or_create(shop=shop, defaults=values)
    return saved
