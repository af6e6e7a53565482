"""Unclaimed parcels as their own case: a parcel returned to the shop unclaimed is not a
withdrawal. The order is refunded what was paid minus the shop's fee for the actual shipping
and handling costs (which must match the real costs on average), and the customer is told."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersale.core.models import Shop
from aftersale.core.money import format_money
from aftersale.core.worker import check_stop
from aftersale.delivery.models import Shipment, ShipmentStatus
from aftersale.orders.balance import OrderBalance, order_balance, order_balances
from aftersale.orders.models import Refund
from aftersale.returns import deadlines
from aftersale.returns.models import UnclaimedCase
from aftersale.timeline import lag, types
from aftersale.timeline.models import Event
from aftersale.timeline.services import record_event

logger = logging.getLogger("aftersale.unclaimed")


@dataclass(frozen=True)
class UnclaimedRefund:
    """The amounts of an unclaimed parcel's refund, as the customer is told them."""

    paid_cents: int  # everything the customer paid for the order
    refunded_before_cents: int  # refunded already, for whatever reason
    fee_cents: int  # the shop's fee actually kept
    refund_cents: int  # what is refunded now


def unclaimed_refund(balance: OrderBalance, fee_cents: int) -> UnclaimedRefund:
    """Paid minus what was already refunded minus the shop's fee, never negative; the fee kept
    is never more than what is left to refund."""
    left = balance.refundable_cents
    fee = max(0, min(fee_cents, left))
    return UnclaimedRefund(
        paid_cents=balance.paid_cents,
        refunded_before_cents=balance.refunded_cents,
        fee_cents=fee,
        refund_cents=left - fee,
    )


def refund_preview(shop: Shop, order) -> UnclaimedRefund:
    """The refund an unclaimed parcel of ``order`` would get now, with the shop's fee."""
    return unclaimed_refund(order_balance(order), deadlines.settings_for(shop).unclaimed_fee_cents)


def refund_previews(shop: Shop, orders: list) -> dict[int, UnclaimedRefund]:
    """``refund_preview`` for many orders at once (order id -> refund), in three queries."""
    fee_cents = deadlines.settings_for(shop).unclaimed_fee_cents
    balances = order_balances(shop, orders)
    return {order.pk: unclaimed_refund(balances[order.pk], fee_cents) for order in orders}


def case_payload(case: UnclaimedCase) -> dict:
    return {
        "order_number": case.order.number,
        "order_external_id": case.order.external_id,
        "shipment_external_id": case.shipment.external_id,
        "tracking_number": case.shipment.tracking_number,
        "paid_cents": case.paid_cents,
        "refunded_before_cents": case.refunded_before_cents,
        "fee_cents": case.fee_cents,
        "refund_cents": case.refund_cents,
        "currency": case.currency,
        "state": case.state,
    }


@transaction.atomic
def open_unclaimed_case(shop: Shop, shipment: Shipment, *, now: datetime | None = None):
    """Open the case for a parcel returned to sender (once per shipment: opening it again gives
    the existing case) and tell the customer after the commit."""
    now = now or timezone.now()
    shipment = (
        Shipment.objects.for_shop(shop)
        .select_for_update()
        .select_related("order__customer")
        .get(pk=shipment.pk)
    )
    existing = UnclaimedCase.objects.for_shop(shop).filter(shipment=shipment).first()
    if existing is not None:
        return existing
    if shipment.status != ShipmentStatus.RETURNED_TO_SENDER:
        raise ValueError(_("Only a parcel returned to sender unclaimed can open this case."))
    order = shipment.order
    amounts = refund_preview(shop, order)
    case = UnclaimedCase.objects.create(
        shop=shop,
        order=order,
        shipment=shipment,
        opened_at=now,
        paid_cents=amounts.paid_cents,
        refunded_before_cents=amounts.refunded_before_cents,
        fee_cents=amounts.fee_cents,
        refund_cents=amounts.refund_cents,
        currency=order.currency,
    )
    record_event(
        shop,
        types.UNCLAIMED_CASE_OPENED,
        subject=case,
        customer=order.customer,
        payload=case_payload(case),
        occurred_at=now,
    )
    case_id = case.pk
    transaction.on_commit(lambda: notify_customer(shop, case_id))
    return case


def notify_customer(shop: Shop, case_id: int) -> bool:
    """The transactional notice to the customer: the parcel came back, what is refunded."""
    case = (
        UnclaimedCase.objects.for_shop(shop)
        .select_related("order__customer", "shop")
        .filter(pk=case_id, customer_notified_at=None)
        .first()
    )
    if case is None or not case.order.customer.email:
        return False
    customer = case.order.customer
    language = customer.language if customer.language in shop.languages else shop.default_language
    with translation.override(language):
        context = {
            "case": case,
            "shop": shop,
            "customer": customer,
            "paid": format_money(case.paid_cents, case.currency),
            "refunded_before": format_money(case.refunded_before_cents, case.currency),
            "fee": format_money(case.fee_cents, case.currency),
            "refund": format_money(case.refund_cents, case.currency),
        }
        subject = render_to_string("returns/email/unclaimed_subject.txt", context).strip()
        body = render_to_string("returns/email/unclaimed.txt", context)
    message = EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [customer.email],
        reply_to=[shop.contact_email] if shop.contact_email else None,
    )
    try:
        message.send()
    except Exception as exc:  # logged; the back-office shows the case as not notified
        logger.warning("unclaimed-parcel notice for case %s not sent: %s", case.pk, exc)
        return False
    UnclaimedCase.objects.for_shop(shop).filter(pk=case.pk).update(
        customer_notified_at=timezone.now()
    )
    return True


@transaction.atomic
def refund_unclaimed_case(shop: Shop, case: UnclaimedCase, *, now: datetime | None = None):
    """Record the case's refund (paid minus fee) as a Refund of the order."""
    now = now or timezone.now()
    case = (
        UnclaimedCase.objects.for_shop(shop)
        .select_for_update()
        .select_related("order__customer", "shipment")
        .get(pk=case.pk)
    )
    if case.state != UnclaimedCase.State.OPEN:
        raise ValueError(_("This case is no longer open."))
    case.refund = Refund.objects.create(
        shop=shop,
        order=case.order,
        external_id=f"unclaimed-{case.pk}",
        amount_cents=case.refund_cents,
        currency=case.currency,
        reason=_("Unclaimed parcel"),
        refunded_at=now,
    )
    case.state = UnclaimedCase.State.REFUNDED
    case.save(update_fields=["refund", "state", "updated_at"])
    record_event(
        shop,
        types.UNCLAIMED_CASE_REFUNDED,
        subject=case,
        customer=case.order.customer,
        payload=case_payload(case),
        occurred_at=now,
    )
    return case


def open_cases_from_timeline(*, now: datetime | None = None) -> int:
    """The worker's job: open a case for every parcel the timeline says came back unclaimed
    within ``lag.UNCLAIMED_CASES`` and that has none yet, and re-send notices that failed.

    Older parcels (imported history, the demo's two years) are left to the back-office, where
    staff can still open a case by hand. Each case is its own transaction, and the job stops
    between cases when the worker is asked to stop. Safe to run again (one case per shipment,
    one notice per case).
    """
    now = now or timezone.now()
    since = lag.cutoff(lag.UNCLAIMED_CASES, now)
    opened = 0
    for shop in Shop.objects.all():
        shipment_ids = (
            Event.objects.filter(
                shop=shop,
                type=types.SHIPMENT_RETURNED_TO_SENDER,
                subject_type="shipment",
                occurred_at__gte=since,
            )
            .exclude(subject_id__in=UnclaimedCase.objects.for_shop(shop).values("shipment_id"))
            .values_list("subject_id", flat=True)[:500]
        )
        for shipment in Shipment.objects.for_shop(shop).filter(
            pk__in=list(shipment_ids), status=ShipmentStatus.RETURNED_TO_SENDER
        ):
            check_stop()
            open_unclaimed_case(shop, shipment)
            opened += 1
        # Notices that could not be sent when the case was opened are tried again for a week.
        week_ago = now - timedelta(days=7)
        for case_id in (
            UnclaimedCase.objects.for_shop(shop)
            .filter(customer_notified_at=None, opened_at__gte=week_ago)
            .values_list("pk", flat=True)[:200]
        ):
            check_stop()
            notify_customer(shop, case_id)
    return opened
