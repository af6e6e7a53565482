"""Points from what the timeline says happened to an order, and the rules that compute them.

- ``order.placed``: each line earns ``points_per_euro`` of its net amount (the line total
  without VAT) times the member's tier multiplier; a customer's first order also earns the
  first-order bonus. The points are pending until the order's return deadline has passed.
  Nothing is earned for an order placed before the programme's start or for an event older
  than ``lag.LOYALTY`` (imported history earns nothing).
- ``return.refunded`` / ``return.credited``: the returned quantity of each line takes back
  exactly that share of the line's points (the points its rule earned, never today's rule);
  when every line is returned the first-order bonus goes too.
- ``refund.issued`` (a refund ingested from the shop, without a return) and
  ``withdrawal.refunded``: the order's points are reversed in proportion to what has been
  refunded of the order's total so far (points already taken back by returns count towards
  it, so a platform's refund of a return handled here takes nothing twice); a refund of the
  whole order also takes the first-order bonus and referral points.
- ``order.cancelled`` and an unclaimed parcel (``shipment.returned_to_sender``): every pending
  point of the order is reversed; they never vest.
- ``shipment.delivered`` / ``shipment.picked_up``: the vesting date moves to the real deadline.

The worker reads the timeline from a durable cursor (as the webhooks do); every handler is
idempotent, so an event read twice changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.core.money import format_money
from aftersale.core.worker import stop_requested
from aftersale.delivery.models import Shipment, ShipmentStatus
from aftersale.loyalty import services
from aftersale.loyalty.models import (
    CustomerPoints,
    EarningRule,
    LedgerEntry,
    LoyaltyProgramme,
    TimelineCursor,
)
from aftersale.orders.models import Order, Refund
from aftersale.returns import deadlines
from aftersale.returns.models import ReturnLine, ReturnRequest
from aftersale.returns.policy import Receipt, return_deadline
from aftersale.timeline import lag, types
from aftersale.timeline.models import Event

CURSOR = "loyalty.earning"
BATCH = 500
SETTLE = timedelta(seconds=10)

Kind = LedgerEntry.Kind
State = LedgerEntry.State
Source = LedgerEntry.Source

HANDLED = (
    types.ORDER_PLACED,
    types.ORDER_CANCELLED,
    types.REFUND_ISSUED,
    types.WITHDRAWAL_REFUNDED,
    types.RETURN_REFUNDED,
    types.RETURN_CREDITED,
    types.SHIPMENT_RETURNED_TO_SENDER,
    types.UNCLAIMED_CASE_OPENED,
    types.SHIPMENT_DELIVERED,
    types.SHIPMENT_PICKED_UP,
)


# --- Rules ---------------------------------------------------------------------------------


def line_points(net_cents: int, rule: EarningRule, multiplier_percent: int = 100) -> int:
    """Points for a net amount: whole points only, rounded down (4,99 € at 2 per euro is 9)."""
    return max(0, net_cents) * rule.points_per_euro * multiplier_percent // 10000


def receipt_for_vesting(order: Order, shipments: list[Shipment] | None = None) -> Receipt | None:
    """When the customer received the whole order (the last parcel's delivery or pickup);
    None while a tracked parcel is still on its way. An order without any shipment (a shop that
    sends no tracking) counts from the returns policy's estimate. ``shipments``: the order's,
    if already loaded."""
    if shipments is None:
        shipments = list(Shipment.objects.for_shop(order.shop_id).filter(order=order))
    if not shipments:
        return deadlines.last_receipt(order)
    received = [s.received_at for s in shipments]
    if any(at is None for at in received):
        return None
    return Receipt(at=max(received), estimated=False)


def vesting_day(order: Order, receipt: Receipt | None = None) -> date:
    """The day the order's points vest: the day after its return deadline (receipt by delivery
    or pickup + 14 days or the shop's longer window), in the shop's time zone; estimated
    from the policy engine while the parcel is on its way."""
    receipt = receipt or deadlines.last_receipt(order)
    deadline = return_deadline(order, receipt)
    return deadline.astimezone(ZoneInfo(order.shop.time_zone)).date() + timedelta(days=1)


def is_unclaimed(order: Order, shipments: list[Shipment] | None = None) -> bool:
    """Whether a parcel of the order came back to the shop unclaimed."""
    if shipments is None:
        shipments = list(Shipment.objects.for_shop(order.shop_id).filter(order=order))
    return any(
        s.status == ShipmentStatus.RETURNED_TO_SENDER or s.returned_at is not None
        for s in shipments
    )


# --- Handlers ------------------------------------------------------------------------------


def earn_for_order(
    shop, order: Order, *, programme: LoyaltyProgramme, at: datetime
) -> list[LedgerEntry]:
    """Earn the order's points (once), if the programme was running when it was placed."""
    if not programme.is_running() or order.placed_at < programme.starts_at:
        return []
    if order.status == Order.Status.CANCELLED:
        return []
    rule = services.current_rule(shop)
    if rule is None:
        return []
    member = CustomerPoints.objects.for_shop(shop).filter(customer_id=order.customer_id).first()
    multiplier = member.tier.multiplier_percent if member and member.tier else 100
    vests_on = vesting_day(order)
    entries = []
    with transaction.atomic():
        for line in order.lines.all():
            net = line.total_cents - line.vat_cents
            points = line_points(net, rule, multiplier)
            if points > 0:
                entries.append(
                    services.earn(
                        shop,
                        order.customer,
                        points=points,
                        source_type=Source.ORDER_LINE,
                        source_id=line.pk,
                        rule=rule,
                        vests_on=vests_on,
                        order=order,
                        amount_cents=net,
                        at=at,
                    )
                )
        earlier = (
            Order.objects.for_shop(shop)
            .filter(customer_id=order.customer_id, placed_at__lt=order.placed_at)
            .exists()
        )
        if rule.first_order_bonus and entries and not earlier:
            entries.append(
                services.earn(
                    shop,
                    order.customer,
                    points=rule.first_order_bonus,
                    source_type=Source.ORDER,
                    source_id=order.pk,
                    rule=rule,
                    vests_on=vests_on,
                    order=order,
                    natural_key=f"earn:first_order:{order.customer_id}",
                    at=at,
                )
            )
    return entries


def reverse_for_return(shop, return_request: ReturnRequest, *, at: datetime) -> int:
    """Take back the points of the lines a refunded or credited return gave back."""
    reversed_count = 0
    with transaction.atomic():
        earns = {
            entry.source_id: entry
            for entry in LedgerEntry.objects.for_shop(shop).filter(
                order_id=return_request.order_id, kind=Kind.EARN, source_type=Source.ORDER_LINE
            )
        }
        if not earns:
            return 0
        for line in (
            ReturnLine.objects.for_shop(shop)
            .filter(return_request=return_request)
            .select_related("order_line")
        ):
            entry = earns.get(line.order_line_id)
            if entry is None:
                continue
            reversal = services.reverse(
                shop,
                entry,
                share=(returned_so_far(shop, entry, line), line.order_line.quantity),
                natural_key=f"{RETURN_LINE_KEY}{line.pk}",
                reason=_("Returned: %(code)s") % {"code": return_request.code},
                at=at,
            )
            reversed_count += reversal is not None
        _reverse_bonus_if_all_returned(shop, return_request.order_id, at=at)
    return reversed_count


def returned_so_far(shop, entry: LedgerEntry, line: ReturnLine) -> int:
    """Units of the entry's order line given back by the returns already reversed plus
    ``line``: reversals take a cumulative share, so rounding never leaves a point behind."""
    done = {
        int(key.removeprefix(RETURN_LINE_KEY))
        for key in entry.followers.filter(natural_key__startswith=RETURN_LINE_KEY).values_list(
            "natural_key", flat=True
        )
    }
    done.add(line.pk)
    return sum(
        ReturnLine.objects.for_shop(shop).filter(pk__in=done).values_list("quantity", flat=True)
    )


def _reverse_bonus_if_all_returned(shop, order_id: int, *, at: datetime) -> None:
    entries = list(LedgerEntry.objects.for_shop(shop).filter(order_id=order_id, kind=Kind.EARN))
    lines = [e for e in entries if e.source_type == Source.ORDER_LINE]
    if lines and all(e.state == State.REVERSED or services.remaining(e)[0] <= 0 for e in lines):
        for bonus in (e for e in entries if e.source_type == Source.ORDER):
            services.reverse(
                shop,
                bonus,
                natural_key=f"reverse:all_returned:{bonus.pk}",
                reason=_("Every item of the order was returned."),
                at=at,
            )


def refunded_without_return(shop, order: Order) -> int:
    """Cents of the order refunded other than for a return request or an unclaimed parcel
    (those take their points back themselves): refunds ingested from the shop, withdrawals."""
    from django.db.models import Sum

    total = (
        Refund.objects.for_shop(shop)
        .filter(order=order, return_request__isnull=True, unclaimed_case__isnull=True)
        .aggregate(total=Sum("amount_cents"))["total"]
    )
    return total or 0


def reverse_for_refund(shop, refund: Refund, *, at: datetime) -> int:
    """Take back the order's points in proportion to what has been refunded of its total,
    counting what returns already took back. Each reversal is keyed by the refund and the
    entry, and the target is cumulative: a refund sent again, or an event read twice, takes
    nothing more. Returns how many entries were reversed."""
    order = refund.order
    if order.total_cents <= 0:
        return 0
    count = 0
    with transaction.atomic():
        # Every earn of the order, reversed ones too: what returns took counts.
        earns = list(
            LedgerEntry.objects.for_shop(shop)
            .select_for_update()
            .filter(order=order, kind=Kind.EARN)
            .order_by("pk")
        )
        if not earns:
            return 0
        refunded = min(refunded_without_return(shop, order), order.total_cents)
        reason = _("Refunded %(amount)s of order %(number)s") % {
            "amount": format_money(refund.amount_cents, order.currency),
            "number": order.number,
        }
        lines = [e for e in earns if e.source_type == Source.ORDER_LINE]
        if refunded >= order.total_cents:
            for entry in earns:  # the whole order: lines, first-order bonus, referral points
                count += _reverse_share(shop, entry, refund, (1, 1), reason, at)
            return count
        # What the refunds should have taken back of the lines' net amount by now, and what
        # reversals (returns, earlier refunds) already took: the rest is shared among the
        # lines by what is left of each.
        left = {e.pk: services.remaining(e)[1] for e in lines}
        earned = sum(e.amount_cents for e in lines)
        taken = earned - sum(left.values())
        more = earned * refunded // order.total_cents - taken
        still = sum(left.values())
        if more <= 0 or still <= 0:
            return 0
        more = min(more, still)
        for entry in lines:
            if entry.amount_cents <= 0 or left[entry.pk] <= 0:
                continue
            # The entry's cumulative reversed share: what is already gone plus its part of
            # ``more``, over its whole amount.
            gone = entry.amount_cents - left[entry.pk]
            share = (gone * still + left[entry.pk] * more, entry.amount_cents * still)
            count += _reverse_share(shop, entry, refund, share, reason, at)
    return count


def _reverse_share(shop, entry, refund, share, reason: str, at: datetime) -> int:
    reversal = services.reverse(
        shop,
        entry,
        share=share,
        natural_key=f"{REFUND_KEY}{refund.pk}:{entry.pk}",
        reason=reason,
        at=at,
    )
    return int(reversal is not None)


def reverse_order(shop, order: Order, *, why: str, reason: str, at: datetime) -> int:
    """Reverse every pending point of the order (cancelled, or its parcel came back
    unclaimed): they never vest."""
    count = 0
    with transaction.atomic():
        for entry in LedgerEntry.objects.for_shop(shop).filter(
            order=order, kind=Kind.EARN, state=State.PENDING
        ):
            count += (
                services.reverse(
                    shop, entry, natural_key=f"reverse:{why}:{entry.pk}", reason=reason, at=at
                )
                is not None
            )
    return count


def reschedule(shop, order: Order) -> int:
    """Move the order's pending points to the day after its real return deadline."""
    receipt = receipt_for_vesting(order)
    if receipt is None:
        return 0
    day = vesting_day(order, receipt)
    return (
        LedgerEntry.objects.for_shop(shop)
        .filter(order=order, kind=Kind.EARN, state=State.PENDING)
        .exclude(vests_on=day)
        .update(vests_on=day)
    )


# Resolutions that give money or store credit back (an exchange keeps the order's value).
GIVING_BACK_RESOLUTIONS = ("refund", "store_credit")
RETURN_LINE_KEY = "reverse:returnline:"
REFUND_KEY = "reverse:refund:"


def handle(event: Event, programme: LoyaltyProgramme | None, now: datetime) -> None:
    """Act on one timeline event of a shop whose programme exists."""
    shop = programme.shop if programme else None
    if shop is None:
        return
    if event.type == types.ORDER_PLACED:
        if not lag.is_recent(event.occurred_at, lag.LOYALTY, now):
            return
        order = Order.objects.for_shop(shop).filter(pk=event.subject_id).first()
        if order is not None:
            earn_for_order(shop, order, programme=programme, at=now)
        return
    if event.type in (types.RETURN_REFUNDED, types.RETURN_CREDITED):
        return_request = ReturnRequest.objects.for_shop(shop).filter(pk=event.subject_id).first()
        if return_request is not None and return_request.resolution in GIVING_BACK_RESOLUTIONS:
            reverse_for_return(shop, return_request, at=now)
        return
    if event.type in (types.REFUND_ISSUED, types.WITHDRAWAL_REFUNDED):
        refund = _refund_of(shop, event)
        if refund is not None:
            reverse_for_refund(shop, refund, at=now)
        return
    order = _order_of(shop, event)
    if order is None:
        return
    if event.type == types.ORDER_CANCELLED:
        reverse_order(shop, order, why="cancelled", reason=_("Order cancelled."), at=now)
    elif event.type in (types.SHIPMENT_RETURNED_TO_SENDER, types.UNCLAIMED_CASE_OPENED):
        reverse_order(
            shop, order, why="unclaimed", reason=_("The parcel was not picked up."), at=now
        )
    elif event.type in (types.SHIPMENT_DELIVERED, types.SHIPMENT_PICKED_UP):
        reschedule(shop, order)


def _refund_of(shop, event: Event) -> Refund | None:
    refunds = Refund.objects.for_shop(shop).select_related("order", "order__shop")
    if event.subject_type == "refund":
        return refunds.filter(pk=event.subject_id).first()
    if event.subject_type == "withdrawal":
        return refunds.filter(withdrawal__pk=event.subject_id).first()
    return None


def _order_of(shop, event: Event) -> Order | None:
    if event.subject_type == "order":
        return Order.objects.for_shop(shop).filter(pk=event.subject_id).first()
    if event.subject_type == "shipment":
        shipment = Shipment.objects.for_shop(shop).filter(pk=event.subject_id).first()
        return shipment.order if shipment else None
    if event.subject_type == "unclaimedcase":
        from aftersale.returns.models import UnclaimedCase

        case = UnclaimedCase.objects.for_shop(shop).filter(pk=event.subject_id).first()
        return case.order if case else None
    return None


def process_events(now: datetime | None = None, max_batches: int = 100) -> int:
    """The worker's job: act on the timeline's events since the cursor, a batch per
    transaction, stopping between batches when the worker is asked to stop."""
    TimelineCursor.objects.get_or_create(name=CURSOR)
    read = 0
    for _batch in range(max_batches):
        count = _process_batch(now or timezone.now())
        read += count
        if count < BATCH or stop_requested():
            break
    return read


def _process_batch(now: datetime) -> int:
    with transaction.atomic():
        cursor = TimelineCursor.objects.select_for_update().get(name=CURSOR)
        events = list(
            Event.objects.filter(
                id__gt=cursor.last_event_id, created_at__lte=now - SETTLE
            ).order_by("id")[:BATCH]
        )
        if not events:
            return 0
        programmes = {
            p.shop_id: p
            for p in LoyaltyProgramme.objects.filter(
                shop_id__in={e.shop_id for e in events}
            ).select_related("shop")
        }
        for event in events:
            if event.type in HANDLED and event.shop_id in programmes:
                handle(event, programmes[event.shop_id], now)
        cursor.last_event_id = events[-1].id
        cursor.save(update_fields=["last_event_id"])
        return len(events)


def award_review_bonus(shop, customer, *, review_id: int, at: datetime | None = None):
    """The written-review bonus of the current rule, once per review. The reviews feature
    calls this for a review with text; the rating is deliberately not an argument, so the
    bonus can never depend on it. The points vest at the next vesting pass. Returns the earn
    entry, or None when the programme is not running or the rule gives no bonus."""
    at = at or timezone.now()
    programme = LoyaltyProgramme.objects.filter(shop=shop).first()
    rule = services.current_rule(shop)
    if programme is None or not programme.is_running() or at < programme.starts_at:
        return None
    if rule is None or not rule.review_bonus:
        return None
    return services.earn(
        shop,
        customer,
        points=rule.review_bonus,
        source_type=Source.REVIEW,
        source_id=review_id,
        rule=rule,
        vests_on=at.astimezone(ZoneInfo(shop.time_zone)).date(),
        at=at,
    )
