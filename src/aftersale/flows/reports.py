"""A marketing flow's holdout result: what its messages caused, beside what they touched.

Who is compared
    *Messaged*: customers of the flow's treatment group who were sent at least one of its
    messages. *Control*: customers of its control group whose run reached a send step and had
    the message withheld (``flows.holdout``). Both passed the same consent, suppression and
    frequency checks; each customer counts once, from their first such moment ("entry").

What is measured
    **Kept net revenue** in the ``WINDOW`` after entry: the customer's orders placed in the
    window (not cancelled), excluding VAT, minus the value of returned lines (goods back or
    refund decided; exchanges are not lost sales) and of parcels that went back unclaimed, as
    the analytics count net revenue (``insights.loading``). Only customers whose window is
    over are compared; returns registered later still lower the figure.

How uncertain
    Welch's 95 % interval on the difference of the two means (``analytics.uplift``).

Beside it, **last-touch attributed revenue**, as the anchors count it: placed orders (returns
not subtracted) within ``ATTRIBUTION_WINDOW`` of one of this flow's messages when no other
marketing message came in between.

The report reads only the flow's own customers (bounded by its entries), with a handful of
grouped queries; nothing is summed over the shop's whole history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Min
from django.utils import timezone

from aftersale.analytics.uplift import Uplift, welch_uplift
from aftersale.delivery.models import Shipment, ShipmentStatus
from aftersale.flows.holdout import CONTROL_SKIP_REASON
from aftersale.flows.models import Flow, Kind, Message, StepRun
from aftersale.insights.loading import RETURNED_STATES
from aftersale.orders.models import Order, OrderLine
from aftersale.returns.models import Resolution, ReturnLine

WINDOW = timedelta(days=30)
ATTRIBUTION_WINDOW = timedelta(days=5)
CONFIDENCE = 0.95
MIN_GROUP = 10
DELIVERED = (Message.State.SENT, Message.State.BOUNCED)


@dataclass(frozen=True)
class HoldoutReport:
    """A flow's holdout result. Money per customer is in cents of ``currency``."""

    flow: Flow
    currency: str
    window_days: int
    uplift: Uplift
    waiting_treated: int  # entered, window not over yet
    waiting_control: int
    attributed_cents: int
    attribution_days: int

    @property
    def verdict(self) -> str:
        return self.uplift.verdict

    def cents(self, value: float | None) -> int | None:
        return None if value is None else round(value * 100)

    @property
    def difference_cents(self) -> int:
        return round(self.uplift.difference * 100)

    @property
    def low_cents(self) -> int | None:
        return self.cents(self.uplift.low)

    @property
    def high_cents(self) -> int | None:
        return self.cents(self.uplift.high)

    @property
    def mean_treated_cents(self) -> int:
        return round(self.uplift.mean_treated * 100)

    @property
    def mean_control_cents(self) -> int:
        return round(self.uplift.mean_control * 100)

    @property
    def attributed_per_recipient_cents(self) -> int | None:
        n = self.uplift.n_treated
        return round(self.attributed_cents / n) if n else None

    @property
    def customers_needed(self) -> int | None:
        needed = self.uplift.customers_needed
        if needed is None or needed == float("inf"):
            return None
        return int(needed)

    @property
    def needs_infinitely_many(self) -> bool:
        return self.uplift.customers_needed == float("inf")


CHUNK = 2000  # ids per query: well under SQLite's limit on query parameters


def _chunks(ids) -> list[list[int]]:
    ids = list(ids)
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def entries(shop, flow: Flow) -> tuple[dict[int, datetime], dict[int, datetime]]:
    """Each compared customer's entry moment, messaged and control (two grouped queries)."""
    treated = dict(
        Message.objects.for_shop(shop)
        .filter(run__flow=flow, run__control=False, state__in=DELIVERED, sent_at__isnull=False)
        .values("customer_id")
        .annotate(first=Min("sent_at"))
        .values_list("customer_id", "first")
        .order_by()
    )
    control = dict(
        StepRun.objects.for_shop(shop)
        .filter(
            run__flow=flow,
            run__control=True,
            state=StepRun.State.SKIPPED,
            skip_reason=CONTROL_SKIP_REASON,
        )
        .values("run__customer_id")
        .annotate(first=Min("finished_at"))
        .values_list("run__customer_id", "first")
        .order_by()
    )
    return treated, control


def kept_net_revenue(shop, entered: dict[int, datetime], window: timedelta) -> dict[int, float]:
    """Each customer's kept net revenue (currency units, excluding VAT) from orders placed in
    ``(entry, entry + window]``."""
    kept = dict.fromkeys(entered, 0.0)
    if not entered:
        return kept
    since = min(entered.values())
    lines = (
        row
        for ids in _chunks(entered)
        for row in OrderLine.objects.for_shop(shop)
        .filter(order__customer_id__in=ids, order__placed_at__gt=since)
        .exclude(order__status=Order.Status.CANCELLED)
        .values_list(
            "order_id", "order__customer_id", "order__placed_at", "total_cents", "vat_cents"
        )
        .order_by()
    )
    order_value: dict[int, float] = defaultdict(float)
    order_customer: dict[int, int] = {}
    for order_id, customer_id, placed_at, total, vat in lines:
        start = entered[customer_id]
        if start < placed_at <= start + window:
            order_value[order_id] += (total - vat) / 100
            order_customer[order_id] = customer_id
    if not order_customer:
        return kept
    returned: dict[int, float] = defaultdict(float)
    unclaimed: set[int] = set()
    for ids in _chunks(order_customer):
        _add_losses(shop, ids, returned, unclaimed)
    for order_id, customer_id in order_customer.items():
        value = 0.0 if order_id in unclaimed else order_value[order_id] - returned[order_id]
        kept[customer_id] += max(0.0, value)
    return kept


def _add_losses(shop, order_ids: list[int], returned: dict, unclaimed: set) -> None:
    """Add the returned value (excluding VAT) and the unclaimed parcels of ``order_ids``."""
    for order_id, qty, bought, total, vat in (
        ReturnLine.objects.for_shop(shop)
        .filter(order_line__order_id__in=order_ids, return_request__state__in=RETURNED_STATES)
        .exclude(return_request__resolution=Resolution.EXCHANGE)
        .values_list(
            "order_line__order_id",
            "quantity",
            "order_line__quantity",
            "order_line__total_cents",
            "order_line__vat_cents",
        )
        .order_by()
    ):
        returned[order_id] += (total - vat) * qty / max(bought, 1) / 100
    unclaimed.update(
        Shipment.objects.for_shop(shop)
        .filter(order_id__in=order_ids, status=ShipmentStatus.RETURNED_TO_SENDER)
        .values_list("order_id", flat=True)
    )


def last_touch_cents(
    shop, flow: Flow, treated: dict[int, datetime], window: timedelta, within: timedelta
) -> int:
    """Placed revenue (excluding VAT, returns not subtracted) credited to ``flow`` by last
    touch: orders in each customer's window placed within ``within`` after a message of the
    flow, with no other marketing message sent in between."""
    if not treated:
        return 0
    since = min(treated.values())
    touches: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for ids in _chunks(treated):
        for customer_id, sent_at, flow_id in (
            Message.objects.for_shop(shop)
            .filter(
                customer_id__in=ids, kind=Kind.MARKETING, state__in=DELIVERED, sent_at__gte=since
            )
            .values_list("customer_id", "sent_at", "run__flow_id")
            .order_by("sent_at")
        ):
            touches[customer_id].append((sent_at, flow_id))
    credited = 0
    orders = (
        row
        for ids in _chunks(treated)
        for row in Order.objects.for_shop(shop)
        .filter(customer_id__in=ids, placed_at__gt=since)
        .exclude(status=Order.Status.CANCELLED)
        .values_list("customer_id", "placed_at", "total_cents", "vat_cents")
        .order_by()
    )
    for customer_id, placed_at, total, vat in orders:
        start = treated[customer_id]
        if not start < placed_at <= start + window:
            continue
        before = [touch for touch in touches[customer_id] if touch[0] < placed_at]
        if before and before[-1][1] == flow.pk and placed_at - before[-1][0] <= within:
            credited += total - vat
    return credited


def holdout_report(shop, flow: Flow, *, now: datetime | None = None) -> HoldoutReport:
    """The holdout result of ``flow`` as of ``now``."""
    now = now or timezone.now()
    treated, control = entries(shop, flow)
    done_t = {c: at for c, at in treated.items() if at + WINDOW <= now}
    done_c = {c: at for c, at in control.items() if at + WINDOW <= now}
    kept_t = kept_net_revenue(shop, done_t, WINDOW)
    kept_c = kept_net_revenue(shop, done_c, WINDOW)
    uplift = welch_uplift(
        np.fromiter(kept_t.values(), dtype=np.float64, count=len(kept_t)),
        np.fromiter(kept_c.values(), dtype=np.float64, count=len(kept_c)),
        confidence=CONFIDENCE,
        min_group=MIN_GROUP,
    )
    return HoldoutReport(
        flow=flow,
        currency=shop.currency,
        window_days=WINDOW.days,
        uplift=uplift,
        waiting_treated=len(treated) - len(done_t),
        waiting_control=len(control) - len(done_c),
        attributed_cents=last_touch_cents(shop, flow, done_t, WINDOW, ATTRIBUTION_WINDOW),
        attribution_days=ATTRIBUTION_WINDOW.days,
    )
