"""What loyalty learns from ingested orders, read from the timeline (never by polling orders).

The worker reads ``order.placed`` and ``order.updated`` events after a durable cursor (as the
webhooks and flows do). For each it:

* settles the reserved redemptions whose code the order used (``discount_codes`` in the
  event), and when that code was a referred friend's welcome gift, attributes the order to the
  referral;
* attributes a friend's first order to their claimed referral by e-mail when they did not use
  the code;
* keeps the (hashed) payment fingerprint for the referral fraud rules.

It also reads ``loyalty.points_vested``: the first vesting of an order's points means the
order was kept, and ``loyalty.order_kept`` is recorded once per order (the built-in referral
invite starts from it).

Events that happened more than ``lag.LOYALTY`` ago (imported history) only settle codes, which
acts on no one: a redemption is never settled by an order placed before it, and no referral is
attributed to history.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from aftersale.core.worker import stop_requested
from aftersale.loyalty import fraud, referrals, rewards
from aftersale.loyalty.models import TimelineCursor
from aftersale.loyalty.referral_models import Referral
from aftersale.orders.models import Order
from aftersale.timeline import lag, types
from aftersale.timeline.models import Event
from aftersale.timeline.services import record_event

CURSOR = "loyalty.orders_seen"
BATCH = 500
# Events younger than this are read again next time: a transaction that wrote an event with a
# lower id may not have committed yet (settling and attributing are idempotent).
SETTLE = timedelta(seconds=10)
ORDER_EVENTS = (types.ORDER_PLACED, types.ORDER_UPDATED)


def read_new_orders(now=None, max_batches: int = 100) -> int:
    """Handle the order events after the cursor; returns how many events were read."""
    TimelineCursor.objects.get_or_create(name=CURSOR)
    read = 0
    for _ in range(max_batches):
        count = _batch(now or timezone.now())
        read += count
        if count < BATCH or stop_requested():
            break
    return read


def _batch(now) -> int:
    with transaction.atomic():
        cursor = TimelineCursor.objects.select_for_update().get(name=CURSOR)
        events = list(
            Event.objects.filter(id__gt=cursor.last_event_id, created_at__lte=now - SETTLE)
            .order_by("id")
            .only("id", "shop_id", "type", "subject_id", "payload", "occurred_at")[:BATCH]
        )
        if not events:
            return 0
        handle([e for e in events if e.type in ORDER_EVENTS], now)
        record_kept_orders([e for e in events if e.type == types.LOYALTY_POINTS_VESTED], now)
        cursor.last_event_id = events[-1].id
        cursor.save(update_fields=["last_event_id"])
    return len(events)


def handle(events: list[Event], now) -> None:
    if not events:
        return
    orders = {
        order.pk: order
        for order in Order.objects.filter(
            pk__in={e.subject_id for e in events}, shop_id__in={e.shop_id for e in events}
        ).select_related("customer", "shop")
    }
    since = lag.cutoff(lag.LOYALTY, now)
    for event in events:
        order = orders.get(event.subject_id)
        if order is None or order.shop_id != event.shop_id:
            continue
        payload = event.payload or {}
        payment = payload.get("payment_fingerprint") or ""
        referrals.remember_payment(order.shop_id, order.customer_id, payment, order.placed_at)
        settled = rewards.settle_codes(
            order.shop_id, order, payload.get("discount_codes") or [], event.occurred_at
        )
        if event.occurred_at < since or order.status == Order.Status.CANCELLED:
            continue
        referral = next(
            (r.referral for r in settled if getattr(r, "referral", None) is not None), None
        )
        if referral is None and event.type == types.ORDER_PLACED and order.customer.email:
            referral = (
                Referral.objects.for_shop(order.shop_id)
                .filter(
                    friend_email_digest=fraud.email_digest(order.shop_id, order.customer.email),
                    state=Referral.State.CLAIMED,
                    created_at__lte=order.placed_at + rewards.CLOCK_SLACK,
                )
                .first()
            )
        if referral is not None and referral.state == Referral.State.CLAIMED:
            referrals.attribute_order(order.shop, referral, order, payment_digest=payment)


def record_kept_orders(events: list[Event], now) -> None:
    """``loyalty.order_kept`` once per order whose points vested (recently)."""
    since = lag.cutoff(lag.LOYALTY, now)
    wanted = {
        (e.shop_id, e.payload.get("order_id")): e
        for e in events
        if e.occurred_at >= since and (e.payload or {}).get("order_id")
    }
    if not wanted:
        return
    already = set(
        Event.objects.filter(
            type=types.LOYALTY_ORDER_KEPT,
            subject_type="order",
            subject_id__in={order_id for _shop, order_id in wanted},
        ).values_list("shop_id", "subject_id")
    )
    orders = {
        (o.shop_id, o.pk): o
        for o in Order.objects.filter(pk__in={order_id for _shop, order_id in wanted})
    }
    for key, event in wanted.items():
        order = orders.get(key)
        if key in already or order is None or order.status == Order.Status.CANCELLED:
            continue
        record_event(
            order.shop,
            types.LOYALTY_ORDER_KEPT,
            subject=order,
            customer=order.customer,
            payload={"order_external_id": order.external_id, "number": order.number},
            occurred_at=event.occurred_at,
        )
