"""A customer's loyalty points for the shop's checkout.

* ``GET /customers/{external_id}/loyalty`` — available and pending points, when the pending
  ones vest, the tier with its benefits and the way to the next one.
* ``GET /customers/{external_id}/loyalty/ledger`` — the customer's ledger, newest first, a page
  at a time (``next_cursor`` goes in ``cursor`` for the next page).
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from aftersale.api.problems import Problem, not_found
from aftersale.api.reads import _one
from aftersale.loyalty import selectors, services
from aftersale.loyalty.models import LedgerEntry
from aftersale.orders.models import Customer

MAX_LIMIT = 200


class VestingOut(Schema):
    date: datetime.date
    points: int


class TierOut(Schema):
    name: str
    threshold: int = Field(description="Net spend in cents, or vested points (see basis).")
    multiplier_percent: int
    free_returns: bool
    free_exchanges: bool
    early_access: bool


class LoyaltyOut(Schema):
    external_id: str
    member: bool
    available: int
    pending: int
    vesting: list[VestingOut]
    tier: TierOut | None
    tier_basis: str = Field(description='"net_spend" (cents) or "vested_points"')
    tier_value: int = Field(description="The basis over the last 12 months.")
    next_tier: TierOut | None
    to_next_tier: int


class LedgerEntryOut(Schema):
    id: int
    kind: str
    points: int = Field(description="Change of the available points.")
    pending_points: int = Field(description="Change of the pending points.")
    state: str = Field(description='For an earn: "pending", "vested" or "reversed".')
    vests_on: datetime.date | None
    source_type: str
    source_id: int | None
    order_external_id: str | None
    amount_cents: int
    rule_version: int | None
    reason: str
    created_at: datetime.datetime


class LedgerPage(Schema):
    items: list[LedgerEntryOut]
    next_cursor: str | None


class LedgerQuery(Schema):
    cursor: str | None = Field(None, max_length=30)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


def _tier_out(tier):
    if tier is None:
        return None
    return {name: getattr(tier, name) for name in TierOut.model_fields}


def _customer(request, external_id: str) -> Customer:
    return _one(Customer.objects.for_shop(request.shop), external_id=external_id)


def _programme(request):
    programme = services.programme_for(request.shop)
    if not programme.enabled:
        raise not_found()
    return programme


def loyalty(request, external_id: str):
    programme = _programme(request)
    customer = _customer(request, external_id)
    member = selectors.member(request.shop, customer)
    balance = selectors.balance(request.shop, customer)
    progress = selectors.tier_progress(request.shop, customer, programme.tier_basis, member)
    return {
        "external_id": customer.external_id,
        "member": member is not None,
        "available": balance.available,
        "pending": balance.pending,
        "vesting": [{"date": day, "points": points} for day, points in balance.next_vesting],
        "tier": _tier_out(progress.tier),
        "tier_basis": programme.tier_basis,
        "tier_value": progress.value,
        "next_tier": _tier_out(progress.next_tier),
        "to_next_tier": progress.missing,
    }


def ledger(request, external_id: str, query: Query[LedgerQuery]):
    _programme(request)
    customer = _customer(request, external_id)
    entries = selectors.history(request.shop, customer).select_related("rule")
    if query.cursor:
        try:
            before = LedgerEntry.objects.for_shop(request.shop).get(
                pk=int(query.cursor), customer=customer
            )
        except (ValueError, LedgerEntry.DoesNotExist):
            raise Problem(
                400,
                _("Bad cursor"),
                _("Use the next_cursor value of the previous page as it is."),
                kind="bad-cursor",
                errors=[{"parameter": "cursor", "detail": _("is not a cursor of this API")}],
            ) from None
        entries = entries.filter(created_at__lte=before.created_at).exclude(
            created_at=before.created_at, pk__gte=before.pk
        )
    rows = list(entries[: query.limit + 1])
    next_cursor = str(rows[query.limit - 1].pk) if len(rows) > query.limit else None
    return {
        "items": [
            {
                "id": e.pk,
                "kind": e.kind,
                "points": e.points,
                "pending_points": e.pending_points,
                "state": e.state,
                "vests_on": e.vests_on,
                "source_type": e.source_type,
                "source_id": e.source_id,
                "order_external_id": e.order.external_id if e.order else None,
                "amount_cents": e.amount_cents,
                "rule_version": e.rule.version if e.rule else None,
                "reason": e.reason,
                "created_at": e.created_at,
            }
            for e in rows[: query.limit]
        ],
        "next_cursor": next_cursor,
    }


def add_loyalty_endpoints(router: Router) -> None:
    """Before the reads: /customers/{id}/loyalty is not a customer id."""
    router.get(
        "/customers/{path:external_id}/loyalty/ledger",
        response=LedgerPage,
        tags=["loyalty"],
        summary="A customer's loyalty ledger, newest first",
    )(ledger)
    router.get(
        "/customers/{path:external_id}/loyalty",
        response=LoyaltyOut,
        tags=["loyalty"],
        summary="A customer's loyalty points and tier",
    )(loyalty)
