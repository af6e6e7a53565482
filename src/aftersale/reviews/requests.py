"""Review requests: planned from the timeline when a parcel is received, released when due.

``plan_requests`` (a worker job) reads the timeline's ``shipment.delivered`` and
``shipment.picked_up`` events (never ``ready_for_pickup``) and plans one request per order,
due the shop's delay after receipt: the longest delay of the categories in the order (a
parcel with a jacket and headphones is asked about at the headphones' 14 days, so both have
been tried). Events older than ``lag.REVIEW_REQUESTS`` (imported history) plan nothing.

``release_due`` (a worker job) takes the requests that fell due, drops those with nothing
left to ask about (the order cancelled, the parcel not received after all, every item
returned or in an open return) and records ``review.requested`` for the rest. The built-in
review-request flow starts on that event and sends the e-mail (the flows engine adds
consent, quiet hours, the frequency cap and the marketing pauses for an open return or
support ticket), waits, and sends one reminder if nothing was written.

Nothing here reads a rating or a survey answer: every buyer is asked the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from aftersale.core.worker import stop_requested
from aftersale.delivery.models import RECEIVED_STATUSES, Shipment
from aftersale.flows.models import Message
from aftersale.orders.models import Order, OrderLine
from aftersale.returns.models import ReturnLine, ReturnState, WithdrawalLine
from aftersale.reviews.models import Review, ReviewRequest, TimelineCursor
from aftersale.reviews.selectors import settings_of
from aftersale.reviews.timing import parcel_was_late
from aftersale.timeline import lag, types
from aftersale.timeline.models import Event
from aftersale.timeline.services import record_event

CURSOR = "reviews.requests"
BATCH = 500
# Events newer than this may still be joined by an older id committing late (PostgreSQL).
SETTLE = timedelta(seconds=10)
RECEIPT_EVENTS = (types.SHIPMENT_DELIVERED, types.SHIPMENT_PICKED_UP)
REMINDER_TEMPLATE = "review_reminder"


# --- Which lines are still the customer's to review ------------------------------------------


def returned_quantities(shop, order_id: int) -> dict[int, int]:
    """Per order line, how many are going back: in a return not rejected (open ones count) or
    in a notice of withdrawal (the larger of the two, as a return may follow a notice)."""
    returned = (
        ReturnLine.objects.for_shop(shop)
        .filter(order_line__order_id=order_id)
        .exclude(return_request__state=ReturnState.REJECTED)
        .values("order_line_id")
        .annotate(quantity=Sum("quantity"))
    )
    withdrawn = (
        WithdrawalLine.objects.for_shop(shop)
        .filter(order_line__order_id=order_id)
        .values("order_line_id")
        .annotate(quantity=Sum("quantity"))
    )
    found: dict[int, int] = {}
    for row in [*returned, *withdrawn]:
        found[row["order_line_id"]] = max(found.get(row["order_line_id"], 0), row["quantity"])
    return found


def kept_lines(shop, order_id: int) -> list[OrderLine]:
    """The order's lines of a product in the catalogue that were not (all) sent back."""
    returned = returned_quantities(shop, order_id)
    lines = (
        OrderLine.objects.for_shop(shop)
        .filter(order_id=order_id, variant__isnull=False)
        .select_related("variant__product__category")
        .order_by("id")
    )
    return [line for line in lines if returned.get(line.pk, 0) < line.quantity]


def why_not_ask(request: ReviewRequest) -> str:
    """Why the request is dropped now ("" if it may go): plain words for the back-office."""
    order = request.order
    if order.status == Order.Status.CANCELLED:
        return "order cancelled"
    if request.shipment_id is not None:
        shipment = Shipment.objects.filter(pk=request.shipment_id).first()
        if shipment is None or shipment.status not in RECEIVED_STATUSES:
            return "parcel not received (returned to sender or not delivered)"
    if not kept_lines(request.shop, request.order_id):
        return "every item was returned or is in a return"
    return ""


def has_written(request: ReviewRequest) -> bool:
    """Whether the customer wrote any review from this request's order."""
    return (
        Review.objects.for_shop(request.shop_id)
        .filter(order_line__order_id=request.order_id)
        .exists()
    )


# --- Planning from the timeline ----------------------------------------------------------------


def plan_requests(now: datetime | None = None, max_batches: int = 100) -> int:
    """The worker's job: plan requests for parcels received since the cursor. Returns how many
    events were read."""
    TimelineCursor.objects.get_or_create(name=CURSOR)
    read = 0
    for _batch in range(max_batches):
        count = _plan_batch(now or timezone.now())
        read += count
        if count < BATCH or stop_requested():
            break
    return read


def _plan_batch(now: datetime) -> int:
    with transaction.atomic():
        cursor = TimelineCursor.objects.select_for_update().get(name=CURSOR)
        events = list(
            Event.objects.filter(id__gt=cursor.last_event_id, created_at__lte=now - SETTLE)
            .order_by("id")
            .values("id", "shop_id", "type", "subject_type", "subject_id", "occurred_at")[:BATCH]
        )
        if not events:
            return 0
        note_messages_sent([e["subject_id"] for e in events if e["type"] == types.MESSAGE_SENT])
        for event in events:
            if (
                event["type"] in RECEIPT_EVENTS
                and event["subject_type"] == "shipment"
                and lag.is_recent(event["occurred_at"], lag.REVIEW_REQUESTS, now)
            ):
                plan_for_shipment(event["shop_id"], event["subject_id"], event["occurred_at"])
        cursor.last_event_id = events[-1]["id"]
        cursor.save(update_fields=["last_event_id"])
        return len(events)


def plan_for_shipment(
    shop_id: int, shipment_id: int, occurred_at: datetime
) -> ReviewRequest | None:
    """Plan the request for the order a received parcel brought (once per order)."""
    shipment = (
        Shipment.objects.for_shop(shop_id)
        .select_related("shop", "order__customer")
        .filter(pk=shipment_id)
        .first()
    )
    if shipment is None or shipment.status not in RECEIVED_STATUSES:
        return None
    shop, order = shipment.shop, shipment.order
    if ReviewRequest.objects.for_shop(shop).filter(order=order).exists():
        return None
    lines = kept_lines(shop, order.pk)
    if not lines:
        return None
    review_settings = settings_of(shop)
    days = max(review_settings.delay_days_for(line.variant.product.category_id) for line in lines)
    received_at = shipment.received_at or occurred_at
    return ReviewRequest.objects.create(
        shop=shop,
        order=order,
        shipment=shipment,
        customer=order.customer,
        received_at=received_at,
        parcel_was_late=parcel_was_late(shipment, shop, received_at),
        due_at=received_at + timedelta(days=days),
    )


# --- Releasing the due ones ------------------------------------------------------------------


def release_due(now: datetime | None = None, limit: int = BATCH) -> int:
    """The worker's job: hand every request that fell due to the review-request flow, or drop
    it with the reason. Returns how many were handled."""
    now = now or timezone.now()
    handled = 0
    while not stop_requested():
        ids = list(
            ReviewRequest.objects.filter(
                due_at__lte=now, released_at__isnull=True, not_asked_reason=""
            )
            .order_by("due_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        for request_id in ids:
            release(request_id, now)
        handled += len(ids)
        if len(ids) < limit:
            break
    return handled


@transaction.atomic
def release(request_id: int, now: datetime) -> ReviewRequest | None:
    request = (
        ReviewRequest.objects.select_for_update(of=("self",))
        .select_related("shop", "order", "customer")
        .filter(pk=request_id, released_at__isnull=True, not_asked_reason="")
        .first()
    )
    if request is None:  # another worker took it
        return None
    reason = why_not_ask(request)
    if reason:
        request.not_asked_reason = reason
        request.save(update_fields=["not_asked_reason", "updated_at"])
        return request
    request.released_at = now
    request.save(update_fields=["released_at", "updated_at"])
    record_event(
        request.shop,
        types.REVIEW_REQUESTED,
        subject=request,
        customer=request.customer,
        payload={
            "order_id": request.order_id,
            "order_number": request.order.number,
            "parcel_was_late": request.parcel_was_late,
        },
        occurred_at=now,
    )
    return request


def note_messages_sent(message_ids: list[int]) -> None:
    """Record on the requests when their e-mail and their reminder went out (from the
    timeline's ``message.sent`` events of the review-request flow)."""
    if not message_ids:
        return
    sent = Message.objects.filter(pk__in=message_ids, run__subject_type="reviewrequest").values(
        "run__subject_id", "step__template_key", "sent_at"
    )
    for row in sent:
        field = "reminder_sent_at" if row["step__template_key"] == REMINDER_TEMPLATE else "sent_at"
        ReviewRequest.objects.filter(
            pk=row["run__subject_id"], **{f"{field}__isnull": True}
        ).update(**{field: row["sent_at"]})
