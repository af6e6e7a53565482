"""The only functions that change returns: registration and the state machine.

requested → approved / rejected → in transit → received → inspected → refunded / exchanged /
credited → closed (a rejected return is closed directly; a drop-off the carrier never scanned
may be received straight from approved). Any other move raises ``InvalidTransition``.

Every transition records a ``return.*`` event on the customer's timeline whose payload
carries what a customer notice or an outbound webhook needs (see ``return_payload``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.catalog.models import Variant
from aftersale.core.models import Shop
from aftersale.orders.models import Order, Refund
from aftersale.returns import policy
from aftersale.returns.models import (
    Resolution,
    ReturnLine,
    ReturnPhoto,
    ReturnPolicy,
    ReturnRequest,
    ReturnState,
    StoreCredit,
)
from aftersale.timeline import types
from aftersale.timeline.services import record_event

S = ReturnState

TRANSITIONS: dict[str, set[str]] = {
    S.REQUESTED: {S.APPROVED, S.REJECTED},
    S.APPROVED: {S.IN_TRANSIT, S.RECEIVED},
    S.IN_TRANSIT: {S.RECEIVED},
    S.RECEIVED: {S.INSPECTED},
    S.INSPECTED: {S.REFUNDED, S.EXCHANGED, S.CREDITED},
    S.REJECTED: {S.CLOSED},
    S.REFUNDED: {S.CLOSED},
    S.EXCHANGED: {S.CLOSED},
    S.CREDITED: {S.CLOSED},
    S.CLOSED: set(),
}

EVENT_FOR_STATE = {
    S.REQUESTED: types.RETURN_REQUESTED,
    S.APPROVED: types.RETURN_APPROVED,
    S.REJECTED: types.RETURN_REJECTED,
    S.IN_TRANSIT: types.RETURN_IN_TRANSIT,
    S.RECEIVED: types.RETURN_RECEIVED,
    S.INSPECTED: types.RETURN_INSPECTED,
    S.REFUNDED: types.RETURN_REFUNDED,
    S.EXCHANGED: types.RETURN_EXCHANGED,
    S.CREDITED: types.RETURN_CREDITED,
    S.CLOSED: types.RETURN_CLOSED,
}

SETTLED_STATE_FOR_RESOLUTION = {
    Resolution.REFUND: S.REFUNDED,
    Resolution.EXCHANGE: S.EXCHANGED,
    Resolution.STORE_CREDIT: S.CREDITED,
}


class InvalidTransition(Exception):
    """The return is not in a state from which this step is allowed."""

    def __init__(self, return_request: ReturnRequest, to_state: str):
        self.return_request = return_request
        self.to_state = to_state
        super().__init__(
            _("Return %(code)s is %(state)s and cannot become %(target)s.")
            % {
                "code": return_request.code,
                "state": return_request.get_state_display().lower(),
                "target": str(S(to_state).label).lower(),
            }
        )


def can_transition(return_request: ReturnRequest, to_state: str) -> bool:
    return to_state in TRANSITIONS[return_request.state]


def return_payload(return_request: ReturnRequest, *, previous_state: str = "") -> dict:
    """What a customer notice or a webhook needs to describe the return without a lookup."""
    lines = return_request.lines.select_related("order_line", "exchange_variant")
    return {
        "code": return_request.code,
        "state": return_request.state,
        "previous_state": previous_state,
        "kind": return_request.kind,
        "resolution": return_request.resolution,
        "return_method": return_request.return_method,
        "order_number": return_request.order.number,
        "order_external_id": return_request.order.external_id,
        "currency": return_request.order.currency,
        "fee_cents": return_request.fee_cents,
        "refund_cents": return_request.refund_cents,
        "lines": [
            {
                "order_line_external_id": line.order_line.external_id,
                "sku": line.order_line.sku,
                "name": line.order_line.name,
                "quantity": line.quantity,
                "reason": line.reason,
                "exchange_sku": line.exchange_variant.sku if line.exchange_variant else "",
                "inspection": line.inspection,
            }
            for line in lines
        ],
    }


def _locked(shop, return_request: ReturnRequest) -> ReturnRequest:
    """Re-read the return under a row lock, from the shop (a foreign return is not found)."""
    return (
        ReturnRequest.objects.for_shop(shop)
        .select_for_update()
        .select_related("order", "customer", "shop")
        .get(pk=return_request.pk)
    )


def _move(
    shop,
    return_request: ReturnRequest,
    to_state: str,
    *,
    now: datetime | None = None,
    extra: dict | None = None,
    update_fields: tuple[str, ...] = (),
) -> ReturnRequest:
    """Change the state if the machine allows it and record the matching timeline event."""
    if not can_transition(return_request, to_state):
        raise InvalidTransition(return_request, to_state)
    now = now or timezone.now()
    previous = return_request.state
    return_request.state = to_state
    if to_state == S.CLOSED:
        return_request.closed_at = now
    return_request.save(update_fields=["state", "closed_at", "updated_at", *update_fields])
    payload = return_payload(return_request, previous_state=previous)
    payload.update(extra or {})
    record_event(
        shop,
        EVENT_FOR_STATE[to_state],
        subject=return_request,
        customer=return_request.customer,
        payload=payload,
        occurred_at=now,
    )
    return return_request


@transaction.atomic
def register_return(
    shop,
    order: Order,
    lines: list[policy.RequestedLine],
    *,
    resolution: str,
    method: str,
    now: datetime | None = None,
    registered_by=None,
) -> ReturnRequest:
    """Register a customer's return or complaint after checking it against the policy.

    Raises ``policy.ReturnNotAllowed`` with a message per offending field or line; nothing is
    written then. A return within the policy is approved at once if the shop says so.

    ``registered_by`` is the staff member registering it for a customer who phoned or wrote:
    the same policy applies (the statutory rules included), except that a complaint does not
    need photos there; the return and its ``return.requested`` event say who registered it.
    """
    now = now or timezone.now()
    order = Order.objects.for_shop(shop).select_for_update().select_related("shop").get(pk=order.pk)
    kind = policy.check_request(
        order,
        lines,
        resolution=resolution,
        method=method,
        now=now,
        require_photos=registered_by is None,
    )
    return_request = ReturnRequest.objects.create(
        shop=shop,
        order=order,
        customer=order.customer,
        kind=kind,
        resolution=resolution,
        return_method=method,
        fee_cents=policy.return_fee(shop, method=method, kind=kind, resolution=resolution),
        requested_at=now,
        registered_by=registered_by,
    )
    for requested in lines:
        line = ReturnLine.objects.create(
            shop=shop,
            return_request=return_request,
            order_line_id=requested.order_line_id,
            quantity=requested.quantity,
            reason=requested.reason,
            comment=requested.comment.strip(),
            exchange_variant_id=(
                requested.exchange_variant_id if resolution == Resolution.EXCHANGE else None
            ),
        )
        for upload in requested.photos:
            ReturnPhoto.objects.create(
                shop=shop,
                return_line=line,
                file=upload,
                content_type=upload.content_type.lower(),
                size_bytes=upload.size,
                original_name=(upload.name or "")[:200],
            )
    payload = return_payload(return_request)
    if registered_by is not None:
        payload["registered_by_staff"] = registered_by.get_username()
    record_event(
        shop,
        types.RETURN_REQUESTED,
        subject=return_request,
        customer=return_request.customer,
        payload=payload,
        occurred_at=now,
    )
    if kind == ReturnRequest.Kind.WITHDRAWAL and policy.policy_for(shop).auto_approve_withdrawals:
        _move(shop, return_request, S.APPROVED, now=now, extra={"automatic": True})
    return return_request


@transaction.atomic
def approve_return(shop, return_request: ReturnRequest, *, now=None) -> ReturnRequest:
    return _move(shop, _locked(shop, return_request), S.APPROVED, now=now)


def bulk_approve_returns(shop, return_requests, *, now=None) -> tuple[list, list]:
    """Approve many returns; each is its own transaction. Returns (approved, refused)."""
    approved, refused = [], []
    for return_request in return_requests:
        try:
            approved.append(approve_return(shop, return_request, now=now))
        except InvalidTransition:
            refused.append(return_request)
    return approved, refused


@transaction.atomic
def reject_return(shop, return_request: ReturnRequest, *, reason: str, now=None) -> ReturnRequest:
    """Refuse a return; ``reason`` is shown to the customer and is required."""
    reason = reason.strip()
    if not reason:
        raise ValueError(_("Write the reason for the rejection: the customer will see it."))
    return_request = _locked(shop, return_request)
    return_request.note = reason
    return _move(
        shop,
        return_request,
        S.REJECTED,
        now=now,
        extra={"rejection_reason": reason},
        update_fields=("note",),
    )


@transaction.atomic
def mark_in_transit(shop, return_request: ReturnRequest, *, now=None) -> ReturnRequest:
    """The carrier has the parcel (its first scan of the return)."""
    return _move(shop, _locked(shop, return_request), S.IN_TRANSIT, now=now)


@transaction.atomic
def receive_return(shop, return_request: ReturnRequest, *, now=None) -> ReturnRequest:
    """The parcel has arrived at the shop."""
    return _move(shop, _locked(shop, return_request), S.RECEIVED, now=now)


def find_by_code(shop, code: str) -> ReturnRequest | None:
    """The shop's return with this code as typed or scanned (spaces and case ignored)."""
    normalised = "".join(code.split()).upper()
    return ReturnRequest.objects.for_shop(shop).filter(code=normalised).first()


@transaction.atomic
def inspect_return(
    shop,
    return_request: ReturnRequest,
    outcomes: dict[int, tuple[str, str]],
    *,
    now=None,
) -> ReturnRequest:
    """Record the inspection of every line: ``outcomes`` maps a return line id to
    (``restock`` or ``damaged``, note). Every line must have an outcome."""
    return_request = _locked(shop, return_request)
    if not can_transition(return_request, S.INSPECTED):
        raise InvalidTransition(return_request, S.INSPECTED)
    lines = list(return_request.lines.all())
    missing = [
        line
        for line in lines
        if outcomes.get(line.pk, ("", ""))[0]
        not in (ReturnLine.Inspection.RESTOCK, ReturnLine.Inspection.DAMAGED)
    ]
    if missing:
        raise ValueError(
            _("Choose restock or damaged for every item: %(items)s.")
            % {"items": ", ".join(line.order_line.name for line in missing)}
        )
    for line in lines:
        outcome, note = outcomes[line.pk]
        newly_restocked = (
            outcome == ReturnLine.Inspection.RESTOCK
            and line.inspection != ReturnLine.Inspection.RESTOCK
        )
        line.inspection = outcome
        line.inspection_note = note.strip()
        line.save(update_fields=["inspection", "inspection_note"])
        if newly_restocked:
            restock_line(shop, line, now=now)
    return _move(shop, return_request, S.INSPECTED, now=now)


def restock_line(shop, line: ReturnLine, *, now=None) -> None:
    """Put a returned line's quantity back into its variant's stock (inside the inspection's
    transaction) and tell the shop with a ``variant.restocked`` event."""
    variant_id = line.order_line.variant_id
    if variant_id is None:
        return
    Variant.objects.for_shop(shop).filter(pk=variant_id).update(stock=F("stock") + line.quantity)
    variant = Variant.objects.for_shop(shop).get(pk=variant_id)
    record_event(
        shop,
        types.VARIANT_RESTOCKED,
        subject=variant,
        payload={
            "sku": variant.sku,
            "variant_external_id": variant.external_id,
            "quantity": line.quantity,
            "stock": variant.stock,
            "return_code": line.return_request.code,
        },
        occurred_at=now or timezone.now(),
    )


@transaction.atomic
def refund_return(
    shop, return_request: ReturnRequest, *, amount_cents: int | None = None, now=None
) -> ReturnRequest:
    """Record the refund of a return as a Refund row of the order.

    The amount is computed by the policy (returned goods minus the fee, capped at what was paid
    minus earlier refunds); the merchant may refund less (e.g. for a damaged item), never more.
    """
    return_request = _locked(shop, return_request)
    if return_request.resolution != Resolution.REFUND:
        raise InvalidTransition(return_request, S.REFUNDED)
    if not can_transition(return_request, S.REFUNDED):
        raise InvalidTransition(return_request, S.REFUNDED)
    now = now or timezone.now()
    computed = policy.refund_for(return_request).refund_cents
    amount = computed if amount_cents is None else amount_cents
    if amount < 0 or amount > computed:
        raise ValueError(
            _("The refund must be between 0 and %(max)s.") % {"max": f"{computed / 100:.2f}"}
        )
    order = return_request.order
    Refund.objects.create(
        shop=shop,
        order=order,
        external_id=f"return-{return_request.code}",
        amount_cents=amount,
        currency=order.currency,
        reason=_("Return %(code)s") % {"code": return_request.code},
        refunded_at=now,
        return_request=return_request,
    )
    return_request.refund_cents = amount
    return _move(shop, return_request, S.REFUNDED, now=now, update_fields=("refund_cents",))


@transaction.atomic
def exchange_return(shop, return_request: ReturnRequest, *, now=None) -> ReturnRequest:
    """The replacement variants are on their way; the shop ships them (webhook payload lists
    each line's ``exchange_sku``)."""
    return_request = _locked(shop, return_request)
    if return_request.resolution != Resolution.EXCHANGE:
        raise InvalidTransition(return_request, S.EXCHANGED)
    return _move(shop, return_request, S.EXCHANGED, now=now)


@transaction.atomic
def credit_return(shop, return_request: ReturnRequest, *, now=None) -> ReturnRequest:
    """Issue store credit worth the refund plus the shop's bonus."""
    return_request = _locked(shop, return_request)
    if return_request.resolution != Resolution.STORE_CREDIT:
        raise InvalidTransition(return_request, S.CREDITED)
    if not can_transition(return_request, S.CREDITED):
        raise InvalidTransition(return_request, S.CREDITED)
    now = now or timezone.now()
    value = policy.refund_for(return_request).refund_cents
    total, bonus = policy.store_credit_for(shop, value)
    credit = StoreCredit.objects.create(
        shop=shop,
        customer=return_request.customer,
        return_request=return_request,
        amount_cents=total,
        bonus_cents=bonus,
        currency=return_request.order.currency,
        issued_at=now,
    )
    return _move(
        shop,
        return_request,
        S.CREDITED,
        now=now,
        extra={
            "store_credit_code": credit.code,
            "store_credit_cents": credit.amount_cents,
            "store_credit_bonus_cents": credit.bonus_cents,
        },
    )


def settle_return(shop, return_request: ReturnRequest, *, now=None) -> ReturnRequest:
    """Refund, exchange or credit, whichever the customer chose."""
    return {
        Resolution.REFUND: refund_return,
        Resolution.EXCHANGE: exchange_return,
        Resolution.STORE_CREDIT: credit_return,
    }[return_request.resolution](shop, return_request, now=now)


@transaction.atomic
def close_return(shop, return_request: ReturnRequest, *, now=None) -> ReturnRequest:
    return _move(shop, _locked(shop, return_request), S.CLOSED, now=now)


@transaction.atomic
def save_return_policy(shop, *, window_days: int | None = None, **values) -> ReturnPolicy:
    """Create or update the shop's return policy; ``window_days`` is the shop's return window
    (``Shop.return_window_days``), never below the statutory 14 days."""
    if window_days is not None:
        shop.return_window_days = max(policy.STATUTORY_WITHDRAWAL_DAYS, window_days)
        Shop.objects.filter(pk=shop.pk).update(return_window_days=shop.return_window_days)
    return_policy, _created = ReturnPolicy.objects.update_or_create(shop=shop, defaults=values)
    return return_policy
