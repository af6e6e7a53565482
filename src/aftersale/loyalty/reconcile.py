"""Checking the members' cached balances against the ledger, a chunk of members at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersale.core.worker import check_stop
from aftersale.loyalty.models import CustomerPoints, LedgerEntry

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
