"""Checking the members' cached balances against the ledger, a chunk of members at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersale.core.worker import check_stop
from aftersale.loyalty import selectors
from aftersale.loyalty.models import CustomerPoints, LedgerEntry, LiabilitySlot

CHUNK = 1000


@dataclass(frozen=True)
class Drift:
    shop_id: int
    customer_id: int
    cached_available: int
    ledger_available: int
    cached_pending: int
    ledger_pending: int


def drifts(shops, *, fix: bool = False, chunk: int = CHUNK) -> Iterator[Drift]:
    """Every member whose cached available or pending points differ from their ledger's sums;
    with ``fix`` the cache is set to the ledger (the truth) in the same transaction."""
    for shop in shops:
        after_id = 0
        while True:
            check_stop()
            with transaction.atomic():
                members = CustomerPoints.objects.for_shop(shop).filter(pk__gt=after_id)
                if fix:
                    members = members.select_for_update()
                rows = list(members.order_by("pk")[:chunk])
                sums = {
                    row["customer_id"]: (row["available"], row["pending"])
                    for row in LedgerEntry.objects.for_shop(shop)
                    .filter(customer_id__in=[m.customer_id for m in rows])
                    .order_by()
                    .values("customer_id")
                    .annotate(
                        available=Coalesce(Sum("points"), 0),
                        pending=Coalesce(Sum("pending_points"), 0),
                    )
                }
                for member in rows:
                    available, pending = sums.get(member.customer_id, (0, 0))
                    if (member.available, member.pending) == (available, pending):
                        continue
                    if fix:
                        CustomerPoints.objects.filter(pk=member.pk).update(
                            available=available, pending=pending, updated_at=timezone.now()
                        )
                    yield Drift(
                        shop.pk,
                        member.customer_id,
                        member.available,
                        available,
                        member.pending,
                        pending,
                    )
            if len(rows) < chunk:
                break
            after_id = rows[-1].pk


@dataclass(frozen=True)
class LiabilityDrift:
    shop_id: int
    kept: selectors.Liability  # the slots the liability report reads
    members: selectors.Liability  # the members counted, the ledger summed


def liability_drift(shop, *, fix: bool = False) -> LiabilityDrift | None:
    """Whether the shop's liability slots differ from its members counted and its whole
    ledger summed; with ``fix`` the slots are replaced by one holding the truth."""
    with transaction.atomic():
        slots = LiabilitySlot.objects.filter(shop=shop)
        if fix:
            list(slots.select_for_update())  # writers move to a new slot meanwhile
        kept = selectors.liability(shop, 0)
        summed = selectors.liability_from_members(shop)
        if (kept.members, kept.available, kept.pending) == (
            summed.members,
            summed.available,
            summed.pending,
        ):
            return None
        if fix:
            slot_ids = list(slots.values_list("pk", flat=True))
            LiabilitySlot.objects.filter(pk__in=slot_ids).update(members=0, available=0, pending=0)
            if slot_ids:
                LiabilitySlot.objects.filter(pk=slot_ids[0]).update(
                    members=summed.members, available=summed.available, pending=summed.pending
                )
            else:
                LiabilitySlot.objects.create(
                    shop=shop,
                    slot=0,
                    members=summed.members,
                    available=summed.available,
                    pending=summed.pending,
                )
        return LiabilityDrift(shop.pk, kept, summed)
