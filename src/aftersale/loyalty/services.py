"""Every change to a shop's loyalty programme and its members' points.

Each function runs in a transaction, appends ledger entries (never changes their amounts),
keeps the member's cached balances (``CustomerPoints``) in step under a row lock, and records
what happened on the customer's timeline (``loyalty.*`` events), which the flows and the
outbound webhooks read. Writes are idempotent by the entry's natural key: a replay of the same
order line, review or redemption returns the entry already made.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date, datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.loyalty.models import (
    CustomerPoints,
    EarningRule,
    LedgerEntry,
    LiabilitySlot,
    LoyaltyProgramme,
    Tier,
)
from aftersale.timeline import types
from aftersale.timeline.services import record_event

Kind = LedgerEntry.Kind
State = LedgerEntry.State
Source = LedgerEntry.Source

RULE_FIELDS = (
    "points_per_euro",
    "first_order_bonus",
    "review_bonus",
    "referral_advocate_points",
    "referral_friend_points",
)


class NotEnoughPoints(Exception):
    """A redemption larger than the member's available points; nothing was written."""

    def __init__(self, available: int, wanted: int):
        self.available = available
        self.wanted = wanted
        super().__init__(
            _("Only %(available)s points are available; %(wanted)s were asked for.")
            % {"available": available, "wanted": wanted}
        )


class InvalidPoints(ValueError):
    """Points or a reason a service cannot accept; ``field`` names what to fix."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


# --- The programme and its rules ------------------------------------------------------------


def programme_for(shop) -> LoyaltyProgramme:
    """The shop's programme; a shop that never set one up gets an unsaved, disabled one."""
    return LoyaltyProgramme.objects.filter(shop=shop).first() or LoyaltyProgramme(shop=shop)


def current_rule(shop) -> EarningRule | None:
    return EarningRule.objects.for_shop(shop).order_by("-version").first()


@transaction.atomic
def save_programme(shop, *, staff_user=None, **values) -> LoyaltyProgramme:
    """Change the programme's settings (enabled, starts_at, tier basis, grace, expiry, value)."""
    programme, _created = LoyaltyProgramme.objects.select_for_update().get_or_create(shop=shop)
    for name, value in values.items():
        setattr(programme, name, value)
    if programme.enabled and programme.starts_at is None:
        programme.starts_at = timezone.now()
    programme.full_clean(exclude=["shop"])
    programme.save()
    if programme.enabled:
        # The loyalty e-mails (welcome, points available, tier reached) for shops created
        # before they existed; what the shop already has is left as it is.
        from aftersale.flows.services import install_builtin_flows

        install_builtin_flows(shop)
    return programme


@transaction.atomic
def save_rule(shop, *, staff_user=None, **values) -> EarningRule:
    """A new version of the earning rules when anything differs from the current one (points
    already earned keep the version that computed them); the current one otherwise."""
    LoyaltyProgramme.objects.select_for_update().get_or_create(shop=shop)  # one writer at a time
    current = current_rule(shop)
    merged = {name: getattr(current, name) if current else 0 for name in RULE_FIELDS}
    if current is None:
        merged["points_per_euro"] = 1
    merged.update({k: v for k, v in values.items() if k in RULE_FIELDS})
    for name, value in merged.items():
        if value is None or int(value) < 0:
            raise InvalidPoints(name, _("Enter zero or a positive whole number."))
    if current is not None and all(getattr(current, k) == v for k, v in merged.items()):
        return current
    return EarningRule.objects.create(
        shop=shop,
        version=(current.version + 1) if current else 1,
        created_by=staff_user,
        **merged,
    )


# --- Members -------------------------------------------------------------------------------


def _member(shop, customer, *, at: datetime) -> CustomerPoints:
    """The member's balance row, locked for this transaction; joins them if they are new."""
    try:
        with transaction.atomic():
            member, created = CustomerPoints.objects.get_or_create(
                shop=shop, customer=customer, defaults={"joined_at": at}
            )
    except IntegrityError:  # another transaction joined them at the same moment
        created = False
    member = CustomerPoints.objects.select_for_update().get(shop=shop, customer=customer)
    if created:
        add_to_liability(shop.pk, members=1)
        record_event(
            shop,
            types.LOYALTY_JOINED,
            subject=member,
            customer=customer,
            payload={"joined_at": at.isoformat()},
            occurred_at=at,
        )
    return member


def join(shop, customer, *, at: datetime | None = None) -> CustomerPoints:
    """Make ``customer`` a member (once; ``loyalty.joined`` on the timeline)."""
    if customer.shop_id != shop.pk:
        raise CustomerPoints.DoesNotExist
    with transaction.atomic():
        return _member(shop, customer, at=at or timezone.now())


def _append(
    member: CustomerPoints, entry: LedgerEntry, event_type: str | None, payload: dict
) -> LedgerEntry:
    """Add ``entry`` and move the member's cached sums by its amounts, then record the event
    (``event_type`` None: the caller records one event for several entries)."""
    entry.save()
    CustomerPoints.objects.filter(pk=member.pk).update(
        available=F("available") + entry.points,
        pending=F("pending") + entry.pending_points,
        last_activity_at=entry.created_at,
        updated_at=timezone.now(),
    )
    add_to_liability(member.shop_id, available=entry.points, pending=entry.pending_points)
    member.refresh_from_db(fields=["available", "pending", "last_activity_at"])
    if event_type is None:
        return entry
    record_event(
        member.shop,
        event_type,
        subject=entry,
        customer=entry.customer,
        payload={
            "kind": entry.kind,
            "points": entry.points,
            "pending_points": entry.pending_points,
            "source_type": entry.source_type,
            "source_id": entry.source_id,
            "order_id": entry.order_id,
            "vests_on": entry.vests_on.isoformat() if entry.vests_on else None,
            "reason": entry.reason,
            "available": member.available,
            "pending": member.pending,
            **payload,
        },
        occurred_at=entry.created_at,
    )
    return entry


def add_to_liability(shop_id: int, *, members: int = 0, available: int = 0, pending: int = 0):
    """Move the shop's outstanding points (``LiabilitySlot``) by what the caller's transaction
    changed in the members' cached balances. The slot is one no other transaction holds
    (``SKIP LOCKED``), so concurrent writers never wait here (nor deadlock with the members'
    rows they lock); when every slot is held a new one is made."""
    if not (members or available or pending):
        return
    slots = LiabilitySlot.objects.filter(shop_id=shop_id).order_by("slot")
    if connection.features.has_select_for_update_skip_locked:
        slots = slots.select_for_update(skip_locked=True)
    slot_id = slots.values_list("pk", flat=True).first()
    if slot_id is None:
        slot_id = _new_slot(shop_id)
    LiabilitySlot.objects.filter(pk=slot_id).update(
        members=F("members") + members,
        available=F("available") + available,
        pending=F("pending") + pending,
    )


def _new_slot(shop_id: int) -> int:
    for _attempt in range(10):
        try:
            with transaction.atomic():
                number = 0 if not LiabilitySlot.objects.filter(shop_id=shop_id).exists() else None
                return LiabilitySlot.objects.create(
                    shop_id=shop_id, slot=secrets.randbelow(2**31 - 1) if number is None else 0
                ).pk
        except IntegrityError:  # another writer made that slot at the same moment
            continue
    raise RuntimeError("no free liability slot after 10 tries")


def _existing(shop, natural_key: str) -> LedgerEntry | None:
    return LedgerEntry.objects.for_shop(shop).filter(natural_key=natural_key).first()


# --- Writing the ledger --------------------------------------------------------------------


def earn(
    shop,
    customer,
    *,
    points: int,
    source_type: str,
    source_id: int | None,
    rule: EarningRule | None,
    vests_on: date,
    order=None,
    amount_cents: int = 0,
    natural_key: str = "",
    at: datetime | None = None,
) -> LedgerEntry:
    """Points that stay pending until ``vests_on`` (and whatever else the vesting job checks).
    Idempotent: the same source earns once (``natural_key`` defaults to the source)."""
    if points <= 0:
        raise InvalidPoints("points", _("Earned points must be more than zero."))
    natural_key = natural_key or f"earn:{source_type}:{source_id}"
    at = at or timezone.now()
    with transaction.atomic():
        member = _member(shop, customer, at=at)
        existing = _existing(shop, natural_key)
        if existing is not None:
            return existing
        entry = LedgerEntry(
            shop=shop,
            customer=customer,
            kind=Kind.EARN,
            pending_points=points,
            state=State.PENDING,
            vests_on=vests_on,
            source_type=source_type,
            source_id=source_id,
            order=order,
            amount_cents=amount_cents,
            rule=rule,
            natural_key=natural_key,
            created_at=at,
        )
        return _append(member, entry, types.LOYALTY_POINTS_EARNED, {})


def remaining(entry: LedgerEntry) -> tuple[int, int]:
    """What is left of an earn entry after its reversals: (points, net amount in cents)."""
    points, amount = entry.pending_points, entry.amount_cents
    for follower in entry.followers.all():
        if follower.kind == Kind.REVERSE:
            points += follower.pending_points + follower.points
            amount += follower.amount_cents
    return points, amount


def _vest_entry(entry: LedgerEntry, points: int, amount: int, at: datetime) -> LedgerEntry:
    """The (unsaved) entry that moves what is left of ``entry`` to the available points."""
    return LedgerEntry(
        shop_id=entry.shop_id,
        customer_id=entry.customer_id,
        kind=Kind.VEST,
        points=points,
        pending_points=-points,
        source_type=entry.source_type,
        source_id=entry.source_id,
        order_id=entry.order_id,
        amount_cents=amount,
        earned_id=entry.pk,
        rule_id=entry.rule_id,
        natural_key=f"vest:{entry.pk}",
        created_at=at,
    )


def vest(
    shop, entry: LedgerEntry, *, at: datetime | None = None, record: bool = True
) -> LedgerEntry | None:
    """Move a pending earn entry's remaining points to the available balance. Returns the vest
    entry, or None if it was no longer pending. ``record=False`` leaves the timeline event to
    the caller (``vest_together`` records one per order)."""
    at = at or timezone.now()
    with transaction.atomic():
        member = _member(shop, entry.customer, at=at)
        entry = LedgerEntry.objects.for_shop(shop).select_for_update().get(pk=entry.pk)
        if entry.state != State.PENDING:
            return None
        points, amount = remaining(entry)
        entry.state = State.VESTED
        entry.save(update_fields=["state"])
        if points <= 0:
            return None
        vested = _vest_entry(entry, points, amount, at)
        return _append(member, vested, types.LOYALTY_POINTS_VESTED if record else None, {})


def vest_orders(
    shop, groups: list[list[LedgerEntry]], *, at: datetime, locked: bool = False
) -> list[LedgerEntry]:
    """Vest many customers' orders at once (the nightly job's chunk): each group is one
    customer's pending earn entries of one order (or one bonus). In one transaction: the
    members' balance rows and the entries are locked, what is left of each entry after its
    reversals becomes a vest entry, the members' cached sums move by the totals, and one
    ``loyalty.points_vested`` per group is recorded. Entries no longer pending are skipped.
    ``locked``: the caller read the entries pending under a row lock in its transaction, so
    they are not read again."""
    from aftersale.core.bulk import insert_objects
    from aftersale.timeline.services import event_row, record_events

    ids = [entry.pk for group in groups for entry in group]
    if not ids:
        return []
    with transaction.atomic():
        customer_ids = {entry.customer_id for group in groups for entry in group}
        members = {
            m.customer_id: m
            for m in CustomerPoints.objects.for_shop(shop)
            .select_for_update()
            .filter(customer_id__in=customer_ids)
            .only("id", "customer_id", "available", "pending")
            .order_by("pk")
        }
        if locked:
            pending = {
                e.pk: e
                for group in groups
                for e in group
                if e.kind == Kind.EARN and e.state == State.PENDING
            }
        else:
            pending = {
                e.pk: e
                for e in LedgerEntry.objects.for_shop(shop)
                .select_for_update()
                .filter(pk__in=ids, kind=Kind.EARN, state=State.PENDING)
                .order_by("pk")
            }
        taken = defaultdict(lambda: [0, 0])
        for earned_id, points, amount in (
            LedgerEntry.objects.for_shop(shop)
            .filter(earned_id__in=list(pending), kind=Kind.REVERSE)
            .values_list("earned_id", "pending_points", "amount_cents")
        ):
            taken[earned_id][0] += points
            taken[earned_id][1] += amount
        LedgerEntry.objects.filter(pk__in=list(pending)).update(state=State.VESTED)
        vests, events, moved = [], [], defaultdict(int)
        for group in groups:
            made = []
            for entry in (pending.get(e.pk) for e in group):
                if entry is None:
                    continue
                points = entry.pending_points + taken[entry.pk][0]
                if points <= 0:
                    continue
                made.append(_vest_entry(entry, points, entry.amount_cents + taken[entry.pk][1], at))
            if made:
                vests.append(made)
                moved[made[0].customer_id] += sum(v.points for v in made)
        created = insert_objects(LedgerEntry, [v for made in vests for v in made])
        # One UPDATE per distinct amount (a chunk's orders mostly vest the same few amounts).
        by_amount: dict[int, list[int]] = defaultdict(list)
        for customer_id, points in moved.items():
            by_amount[points].append(members[customer_id].pk)
            members[customer_id].available += points
            members[customer_id].pending -= points
        for points, member_ids in by_amount.items():
            CustomerPoints.objects.filter(pk__in=member_ids).update(
                available=F("available") + points,
                pending=F("pending") - points,
                last_activity_at=at,
                updated_at=timezone.now(),
            )
        total = sum(moved.values())
        add_to_liability(shop.pk, available=total, pending=-total)
        for made in vests:
            member = members[made[0].customer_id]
            events.append(
                event_row(
                    shop.pk,
                    types.LOYALTY_POINTS_VESTED,
                    "ledgerentry",
                    made[0].pk,
                    customer_id=member.customer_id,
                    payload={
                        "kind": Kind.VEST,
                        "points": sum(v.points for v in made),
                        "order_id": made[0].order_id,
                        "entries": [v.pk for v in made],
                        "available": member.available,
                        "pending": member.pending,
                    },
                    occurred_at=at,
                )
            )
        record_events(events)
        return created


def vest_together(shop, entries: list[LedgerEntry], *, at: datetime) -> list[LedgerEntry]:
    """Vest the earn entries of one customer's order (or one bonus) and record a single
    ``loyalty.points_vested`` with their total, so the customer hears about it once."""
    with transaction.atomic():
        vested = [v for e in entries if (v := vest(shop, e, at=at, record=False)) is not None]
        if not vested:
            return []
        first = vested[0]
        member = CustomerPoints.objects.get(shop=shop, customer_id=first.customer_id)
        record_event(
            shop,
            types.LOYALTY_POINTS_VESTED,
            subject=first,
            customer=first.customer,
            payload={
                "kind": Kind.VEST,
                "points": sum(v.points for v in vested),
                "order_id": first.order_id,
                "entries": [v.pk for v in vested],
                "available": member.available,
                "pending": member.pending,
            },
            occurred_at=at,
        )
        return vested


def reverse(
    shop,
    entry: LedgerEntry,
    *,
    share: tuple[int, int] = (1, 1),
    natural_key: str,
    reason: str,
    at: datetime | None = None,
) -> LedgerEntry | None:
    """Take back what an earn entry earned so that ``share`` (returned, bought — counting
    every return of the line so far) of it is reversed: from the pending balance while it is
    pending, from the available one once vested. The points are the entry's own (computed by the
    rule that earned them), never today's rule. Idempotent by ``natural_key``; reversing 1 of 3
    and later 2 of 3 takes back exactly the whole entry.
    """
    at = at or timezone.now()
    returned, bought = share
    with transaction.atomic():
        member = _member(shop, entry.customer, at=at)
        entry = LedgerEntry.objects.for_shop(shop).select_for_update().get(pk=entry.pk)
        if entry.kind != Kind.EARN or entry.state == State.REVERSED:
            return None
        existing = _existing(shop, natural_key)
        if existing is not None:
            return existing
        returned = min(returned, bought)
        reversals = [f for f in entry.followers.all() if f.kind == Kind.REVERSE]
        reversed_points = -sum(f.points + f.pending_points for f in reversals)
        reversed_amount = -sum(f.amount_cents for f in reversals)
        points = entry.pending_points * returned // bought - reversed_points
        amount = entry.amount_cents * returned // bought - reversed_amount
        if points <= 0 and amount <= 0:
            return None
        pending = entry.state == State.PENDING
        reversal = LedgerEntry(
            shop=shop,
            customer=entry.customer,
            kind=Kind.REVERSE,
            points=0 if pending else -points,
            pending_points=-points if pending else 0,
            source_type=entry.source_type,
            source_id=entry.source_id,
            order_id=entry.order_id,
            amount_cents=-amount,
            earned=entry,
            rule_id=entry.rule_id,
            natural_key=natural_key,
            reason=reason[:300],
            created_at=at,
        )
        if returned >= bought and pending:
            entry.state = State.REVERSED
            entry.save(update_fields=["state"])
        return _append(member, reversal, types.LOYALTY_POINTS_REVERSED, {})


def redeem(
    shop, customer, *, points: int, source_type: str, source_id: int | None, reason: str = ""
) -> LedgerEntry:
    """Spend available points (on a reward). The member's balance row is locked, so two
    redemptions at once never spend more than there is; raises ``NotEnoughPoints`` (nothing
    written) if the available balance would go below zero. Idempotent by the source."""
    if points <= 0:
        raise InvalidPoints("points", _("Redeem more than zero points."))
    natural_key = f"redeem:{source_type}:{source_id}"
    at = timezone.now()
    with transaction.atomic():
        member = _member(shop, customer, at=at)
        existing = _existing(shop, natural_key)
        if existing is not None:
            return existing
        if member.available < points:
            raise NotEnoughPoints(member.available, points)
        entry = LedgerEntry(
            shop=shop,
            customer=customer,
            kind=Kind.REDEEM,
            points=-points,
            source_type=source_type,
            source_id=source_id,
            natural_key=natural_key,
            reason=reason[:300],
            created_at=at,
        )
        return _append(member, entry, types.LOYALTY_POINTS_REDEEMED, {})


def adjust(shop, customer, *, points: int, reason: str, staff_user) -> LedgerEntry:
    """A staff correction of the available points, with the reason required (it is shown in
    the member's history and the back-office's audit trail)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidPoints("reason", _("Say why the points are adjusted."))
    if not points:
        raise InvalidPoints("points", _("Enter a number of points other than zero."))
    at = timezone.now()
    with transaction.atomic():
        member = _member(shop, customer, at=at)
        count = LedgerEntry.objects.for_shop(shop).filter(customer=customer, kind=Kind.ADJUST)
        entry = LedgerEntry(
            shop=shop,
            customer=customer,
            kind=Kind.ADJUST,
            points=points,
            source_type=Source.STAFF,
            source_id=staff_user.pk if staff_user else None,
            natural_key=f"adjust:{customer.pk}:{count.count() + 1}:{at.timestamp()}",
            reason=reason[:300],
            created_by=staff_user,
            created_at=at,
        )
        return _append(
            member,
            entry,
            types.LOYALTY_POINTS_ADJUSTED,
            {"staff": staff_user.get_username() if staff_user else ""},
        )


def unredeem(
    shop,
    customer,
    *,
    points: int,
    source_type: str,
    source_id: int,
    reason: str,
    at: datetime | None = None,
) -> LedgerEntry:
    """Give back the points of a redemption that was cancelled (``redeem``'s source), once:
    a second call returns the entry already made."""
    if points <= 0:
        raise InvalidPoints("points", _("Give back more than zero points."))
    at = at or timezone.now()
    natural_key = f"unredeem:{source_type}:{source_id}"
    with transaction.atomic():
        member = _member(shop, customer, at=at)
        existing = _existing(shop, natural_key)
        if existing is not None:
            return existing
        entry = LedgerEntry(
            shop=shop,
            customer=customer,
            kind=Kind.REVERSE,
            points=points,
            source_type=source_type,
            source_id=source_id,
            natural_key=natural_key,
            reason=reason[:300],
            created_at=at,
        )
        return _append(member, entry, types.LOYALTY_POINTS_ADJUSTED, {})


def expire(
    shop, customer, *, natural_key: str, reason: str, expired_on: date, source_type: str, at
) -> LedgerEntry | None:
    """Expire every available point the member has now (read under the row lock), once per
    ``natural_key``; None when there is nothing to expire."""
    with transaction.atomic():
        member = _member(shop, customer, at=at)
        existing = _existing(shop, natural_key)
        if existing is not None:
            return existing
        if member.available <= 0:
            return None
        entry = LedgerEntry(
            shop=shop,
            customer=customer,
            kind=Kind.EXPIRE,
            points=-member.available,
            source_type=source_type,
            natural_key=natural_key,
            reason=reason[:300],
            created_at=at,
        )
        return _append(member, entry, types.LOYALTY_POINTS_EXPIRED, {"expired_on": str(expired_on)})


# --- Tiers ---------------------------------------------------------------------------------


@transaction.atomic
def add_tier(shop, **values) -> Tier:
    """A new tier for the programme (name, threshold, multiplier and benefits)."""
    return Tier.objects.create(shop=shop, **values)


@transaction.atomic
def remove_tier(shop, tier: Tier) -> None:
    """Remove one of the shop's tiers."""
    Tier.objects.for_shop(shop).filter(pk=tier.pk).delete()


def change_tier(shop, member: CustomerPoints, tier: Tier | None, *, at: datetime) -> None:
    """Put the member in ``tier`` and record ``loyalty.tier_changed`` (with the direction)."""
    previous = member.tier
    if (previous.pk if previous else None) == (tier.pk if tier else None):
        return
    up = (tier.threshold if tier else -1) > (previous.threshold if previous else -1)
    CustomerPoints.objects.filter(pk=member.pk).update(
        tier=tier, tier_since=at, below_tier_since=None, updated_at=timezone.now()
    )
    member.tier, member.tier_since, member.below_tier_since = tier, at, None
    record_event(
        shop,
        types.LOYALTY_TIER_CHANGED,
        subject=member,
        customer=member.customer,
        payload={
            "tier": tier.name if tier else "",
            "tier_id": tier.pk if tier else None,
            "previous_tier": previous.name if previous else "",
            "direction": "up" if up else "down",
        },
        occurred_at=at,
    )
