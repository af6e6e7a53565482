"""Reading a member's points: the balance, when pending points vest, the history, the tier."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersale.loyalty.models import CustomerPoints, LedgerEntry, LiabilitySlot, Tier, TierBasis

ROLLING_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class Balance:
    available: int
    pending: int
    next_vesting: list[tuple[date, int]] = field(default_factory=list)


def member(shop, customer) -> CustomerPoints | None:
    return (
        CustomerPoints.objects.for_shop(shop)
        .select_related("tier")
        .filter(customer=customer)
        .order_by("pk")  # not the default ordering, which joins the shop to sort one row
        .first()
    )


def members_among(shop, customers) -> list[CustomerPoints]:
    return list(CustomerPoints.objects.for_shop(shop).filter(customer__in=customers))


def pending_by_date(shop, customer) -> list[tuple[date, int]]:
    """The customer's pending points by the day they vest, soonest first (what is left of each
    earn after its reversals)."""
    rows = (
        LedgerEntry.objects.for_shop(shop)
        .filter(customer=customer, kind=LedgerEntry.Kind.EARN, state=LedgerEntry.State.PENDING)
        .annotate(
            taken=Coalesce(
                Sum(
                    "followers__pending_points",
                    filter=Q(followers__kind=LedgerEntry.Kind.REVERSE),
                ),
                0,
            )
        )
        .order_by()
        .values_list("vests_on", "pending_points", "taken")
    )
    by_day: dict[date, int] = defaultdict(int)
    for vests_on, points, taken in rows:
        if points + taken > 0:
            by_day[vests_on] += points + taken
    return sorted(by_day.items())


# The member's row and, when they have pending points, their pending earns with what
# reversals took of each: one round trip, through the unique index on the member and the partial
# index ``ledger_pending_by_member`` (a member has few pending earns, however long the ledger).
BALANCE_SQL = """
SELECT m.available, m.pending, e.vests_on,
       e.pending_points + COALESCE((
           SELECT SUM(r.pending_points) FROM loyalty_ledgerentry r
           WHERE r.earned_id = e.id AND r.kind = 'reverse'
       ), 0)
FROM loyalty_customerpoints m
LEFT JOIN loyalty_ledgerentry e
       ON m.pending > 0 AND e.shop_id = m.shop_id AND e.customer_id = m.customer_id
      AND e.state = 'pending' AND e.kind = 'earn'
WHERE m.shop_id = %s AND m.customer_id = %s
"""


def balance(shop, customer) -> Balance:
    """Available and pending points from the member's reconciled row, and when the pending ones
    vest (``pending_by_date``), in one query. A customer who never joined has none."""
    with connection.cursor() as cursor:
        cursor.execute(BALANCE_SQL, [getattr(shop, "pk", shop), customer.pk])
        rows = cursor.fetchall()
    if not rows:
        return Balance(0, 0, [])
    by_day: dict[date, int] = defaultdict(int)
    for _available, _pending, vests_on, left in rows:
        if vests_on is not None and left > 0:
            if isinstance(vests_on, str):  # SQLite returns the raw column
                vests_on = date.fromisoformat(vests_on)
            by_day[vests_on] += left
    available, pending = rows[0][0], rows[0][1]
    return Balance(available, pending, sorted(by_day.items()))


def ledger_sums(shop, customer) -> tuple[int, int]:
    """(available, pending) summed from the ledger itself: the truth the cache is checked
    against."""
    sums = (
        LedgerEntry.objects.for_shop(shop)
        .filter(customer=customer)
        .aggregate(available=Coalesce(Sum("points"), 0), pending=Coalesce(Sum("pending_points"), 0))
    )
    return sums["available"], sums["pending"]


def history(shop, customer):
    """The member's entries, newest first (paginate it)."""
    return (
        LedgerEntry.objects.for_shop(shop)
        .filter(customer=customer)
        .select_related("order", "created_by")
        .order_by("-created_at", "-id")
    )


def tiers(shop) -> list[Tier]:
    return list(Tier.objects.for_shop(shop).order_by("threshold"))


def tier_value(shop, customer, basis: str, now: datetime | None = None) -> int:
    """What the tiers are measured by over the last 12 months: net spend in cents of kept
    (vested) order lines, less reversals of vested points; or the points vested, less those
    reversed."""
    since = (now or timezone.now()) - ROLLING_WINDOW
    rows = (
        LedgerEntry.objects.for_shop(shop)
        .filter(customer=customer, created_at__gte=since)
        .filter(Q(kind=LedgerEntry.Kind.VEST) | Q(kind=LedgerEntry.Kind.REVERSE, points__lt=0))
    )
    column = "amount_cents" if basis == TierBasis.NET_SPEND else "points"
    return rows.aggregate(total=Coalesce(Sum(column), 0))["total"]


def tier_for(value: int, shop_tiers: list[Tier]) -> Tier | None:
    """The highest tier whose threshold ``value`` reaches."""
    reached = [tier for tier in shop_tiers if value >= tier.threshold]
    return reached[-1] if reached else None


@dataclass(frozen=True)
class TierProgress:
    tier: Tier | None
    value: int
    next_tier: Tier | None
    missing: int  # how much more of the basis reaches the next tier
    percent: int


def tier_progress(shop, customer, basis: str, member_row: CustomerPoints | None) -> TierProgress:
    shop_tiers = tiers(shop)
    value = tier_value(shop, customer, basis)
    current = member_row.tier if member_row else None
    above = [t for t in shop_tiers if current is None or t.threshold > current.threshold]
    next_tier = above[0] if above else None
    if next_tier is None:
        return TierProgress(current, value, None, 0, 100)
    missing = max(0, next_tier.threshold - value)
    percent = min(100, value * 100 // next_tier.threshold) if next_tier.threshold else 100
    return TierProgress(current, value, next_tier, missing, percent)


@dataclass(frozen=True)
class Liability:
    members: int
    available: int
    pending: int
    available_cents: int
    pending_cents: int


def liability(shop, point_value_cents) -> Liability:
    """Outstanding points and what they are worth at the programme's point value: the sum of
    the shop's few liability slots, which the ledger's writer keeps in step with the members'
    balances (one query however many members there are)."""
    sums = LiabilitySlot.objects.filter(shop=shop).aggregate(
        members=Coalesce(Sum("members"), 0),
        available=Coalesce(Sum("available"), 0),
        pending=Coalesce(Sum("pending"), 0),
    )
    value = Decimal(point_value_cents)
    return Liability(
        members=sums["members"],
        available=sums["available"],
        pending=sums["pending"],
        available_cents=int(sums["available"] * value),
        pending_cents=int(sums["pending"] * value),
    )


def liability_from_members(shop) -> Liability:
    """The same figures from the truth: the members counted and the shop's whole ledger
    summed (what ``loyalty-check`` compares the slots with; never on a page)."""
    sums = (
        LedgerEntry.objects.for_shop(shop)
        .order_by()
        .aggregate(available=Coalesce(Sum("points"), 0), pending=Coalesce(Sum("pending_points"), 0))
    )
    members = CustomerPoints.objects.for_shop(shop).count()
    return Liability(members, sums["available"], sums["pending"], 0, 0)
