"""The worker's vesting pass and tier review, in bounded chunks.

``vest_due`` takes the pending earn entries whose vesting day has come, a chunk at a time (each
chunk its own transaction, the worker's stop checked between chunks), and for each order asks
again what is true now: a parcel that came back unclaimed or a cancelled order reverses the
points; a parcel still on its way, a return deadline not yet passed or an open return moves the
vesting day on (so every entry read either vests, is reversed or waits for a later day, and the
pass always ends); otherwise the points vest and the member's tier is reviewed (upgrades happen
at vesting).

``review_tiers`` runs daily: a member below their tier's threshold keeps it for the programme's
grace period, then moves down to the tier their last 12 months reach.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.core.worker import check_stop
from aftersale.delivery.models import Shipment
from aftersale.loyalty import earning, selectors, services
from aftersale.loyalty.models import CustomerPoints, LedgerEntry, LoyaltyProgramme
from aftersale.orders.models import Order
from aftersale.returns.models import OPEN_RETURN_STATES, ReturnRequest

CHUNK = 500
Kind = LedgerEntry.Kind
State = LedgerEntry.State


def today_in(shop, now: datetime) -> date:
    return now.astimezone(ZoneInfo(shop.time_zone)).date()


def vest_due(now: datetime | None = None, chunk: int = CHUNK) -> int:
    """Vest every due entry of every running programme; returns how many vested."""
    now = now or timezone.now()
    vested = 0
    for programme in LoyaltyProgramme.objects.filter(enabled=True).select_related("shop"):
        while True:
            check_stop()
            done, count = _vest_chunk(programme, now, chunk)
            vested += count
            if done:
                break
    return vested


# What the chunk reads of each row: no more (a chunk is 500 rows of each).
ENTRY_FIELDS = (
    "id",
    "shop_id",
    "customer_id",
    "order_id",
    "kind",
    "state",
    "pending_points",
    "amount_cents",
    "source_type",
    "source_id",
    "rule_id",
    "vests_on",
)
ORDER_FIELDS = ("id", "shop_id", "customer_id", "status", "placed_at")
SHIPMENT_FIELDS = ("id", "order_id", "status", "received_at", "returned_at")


def _vest_chunk(programme: LoyaltyProgramme, now: datetime, chunk: int) -> tuple[bool, int]:
    shop = programme.shop
    today = today_in(shop, now)
    with transaction.atomic():
        # Locked here, once: the vesting below writes them in this transaction (another
        # worker's pass skips them and takes the next ones).
        due = (
            LedgerEntry.objects.for_shop(shop)
            .filter(kind=Kind.EARN, state=State.PENDING, vests_on__lte=today)
            .only(*ENTRY_FIELDS)
            .order_by("vests_on", "id")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        entries = list(due[:chunk])
        by_order: dict[int | None, list[LedgerEntry]] = defaultdict(list)
        for entry in entries:
            by_order[entry.order_id].append(entry)
        orders = (
            Order.objects.for_shop(shop)
            .only(*ORDER_FIELDS)
            .in_bulk([pk for pk in by_order if pk is not None])
        )
        for order in orders.values():
            order.shop = shop  # the time zone and return window, without a join per row
        shipments: dict[int, list[Shipment]] = defaultdict(list)
        for shipment in (
            Shipment.objects.for_shop(shop).filter(order_id__in=list(orders)).only(*SHIPMENT_FIELDS)
        ):
            shipments[shipment.order_id].append(shipment)
        open_returns = set(
            ReturnRequest.objects.for_shop(shop)
            .filter(order_id__in=list(orders), state__in=OPEN_RETURN_STATES)
            .values_list("order_id", flat=True)
        )
        ready: list[list[LedgerEntry]] = []
        waiting: dict[date, list[int]] = defaultdict(list)
        tomorrow = today + timedelta(days=1)
        for order_id, order_entries in by_order.items():
            order = orders.get(order_id) if order_id is not None else None
            wait_until = None
            if order is not None:
                if order.status == Order.Status.CANCELLED:
                    earning.reverse_order(
                        shop, order, why="cancelled", reason=_("Order cancelled."), at=now
                    )
                    continue
                parcels = shipments[order.pk]
                if earning.is_unclaimed(order, parcels):
                    earning.reverse_order(
                        shop,
                        order,
                        why="unclaimed",
                        reason=_("The parcel was not picked up."),
                        at=now,
                    )
                    continue
                receipt = earning.receipt_for_vesting(order, parcels)
                due_day = earning.vesting_day(order, receipt) if receipt else None
                if receipt is None:  # still on its way: wait for the delivery
                    wait_until = max(tomorrow, earning.vesting_day(order))
                elif due_day > today:
                    wait_until = due_day
                elif order.pk in open_returns:  # an open return holds the points
                    wait_until = tomorrow
            if wait_until is not None:
                waiting[wait_until].extend(e.pk for e in order_entries)
                continue
            by_customer: dict[int, list[LedgerEntry]] = defaultdict(list)
            for entry in order_entries:
                by_customer[entry.customer_id].append(entry)
            ready.extend(by_customer.values())
        for day, ids in waiting.items():  # one UPDATE per new vesting day
            LedgerEntry.objects.filter(pk__in=ids).update(vests_on=day)
        vested = services.vest_orders(shop, ready, at=now, locked=True)
        shop_tiers = selectors.tiers(shop)
        if shop_tiers:
            for member in (
                CustomerPoints.objects.for_shop(shop)
                .filter(customer_id__in={entry.customer_id for entry in vested})
                .select_related("tier", "customer")
            ):
                upgrade(programme, member, now, shop_tiers)
    return len(entries) < chunk, len(vested)


def upgrade(
    programme: LoyaltyProgramme, member: CustomerPoints, now: datetime, shop_tiers: list
) -> None:
    """Move the member up if their last 12 months reach a higher tier (never down here)."""
    value = selectors.tier_value(programme.shop, member.customer, programme.tier_basis, now)
    reached = selectors.tier_for(value, shop_tiers)
    current = member.tier
    if reached is not None and (current is None or reached.threshold > current.threshold):
        services.change_tier(programme.shop, member, reached, at=now)
    elif current is not None and value >= current.threshold and member.below_tier_since:
        CustomerPoints.objects.filter(pk=member.pk).update(below_tier_since=None)


def review_tiers(now: datetime | None = None, chunk: int = CHUNK) -> int:
    """Daily: members below their tier's threshold longer than the grace period move down.
    Returns how many moved."""
    now = now or timezone.now()
    moved = 0
    for programme in LoyaltyProgramme.objects.filter(enabled=True).select_related("shop"):
        shop = programme.shop
        today = today_in(shop, now)
        shop_tiers = selectors.tiers(shop)
        after_id = 0
        while True:
            check_stop()
            with transaction.atomic():
                members = list(
                    CustomerPoints.objects.for_shop(shop)
                    .filter(tier__isnull=False, pk__gt=after_id)
                    .select_related("tier", "customer")
                    .order_by("pk")[:chunk]
                )
                for member in members:
                    value = selectors.tier_value(shop, member.customer, programme.tier_basis, now)
                    if value >= member.tier.threshold:
                        if member.below_tier_since is not None:
                            CustomerPoints.objects.filter(pk=member.pk).update(
                                below_tier_since=None
                            )
                        continue
                    if member.below_tier_since is None:
                        CustomerPoints.objects.filter(pk=member.pk).update(below_tier_since=today)
                        continue
                    if (today - member.below_tier_since).days >= programme.grace_days:
                        services.change_tier(
                            shop, member, selectors.tier_for(value, shop_tiers), at=now
                        )
                        moved += 1
            if len(members) < chunk:
                break
            after_id = members[-1].pk
    return moved
