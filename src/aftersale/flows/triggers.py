"""Reading the timeline durably: events start runs of the flows they trigger and end runs that
list them as exit events.

A single cursor row remembers the last Event id that is *settled*. Every pass reads the events
after it. An event id can commit after a higher one (two transactions on PostgreSQL), so the
cursor only moves past events older than ``SETTLE_SECONDS``; newer events are read again on the
next pass, and starting a run is idempotent (one run per flow and triggering event), so nothing
is lost and nothing starts twice. Events whose ``occurred_at`` is older than a flow's
``max_trigger_lag`` (imported history, the demo's two years) start no run.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from aftersale.core.bulk import insert_rows
from aftersale.core.worker import stop_requested
from aftersale.flows.holdout import in_control_group
from aftersale.flows.models import (
    Channel,
    Consent,
    EventCursor,
    Flow,
    FlowRun,
    Kind,
    Message,
    Step,
    StepRun,
)
from aftersale.flows.schedule import due_at_for
from aftersale.flows.subjects import customer_id_of, load_subjects, order_id_of
from aftersale.orders.models import Customer
from aftersale.timeline import types
from aftersale.timeline.models import Event

# A trigger that is not an event of its own: the customer has the parcel, whether it was
# delivered home or picked up from a pickup point (post-purchase flows count from receipt).
RECEIVED = "shipment.received"
TRIGGER_ALIASES = {
    types.SHIPMENT_DELIVERED: (RECEIVED,),
    types.SHIPMENT_PICKED_UP: (RECEIVED,),
}


def trigger_types_of(event_type: str) -> tuple[str, ...]:
    """The flow triggers an event of ``event_type`` matches: its own type and any alias."""
    return (event_type, *TRIGGER_ALIASES.get(event_type, ()))


CURSOR_NAME = "flows.triggers"
SETTLE_SECONDS = 10
BATCH_SIZE = 2000


def process_events(max_batches: int = 500) -> int:
    """Handle every event recorded since the last pass. Returns how many were read.

    Each batch is its own short transaction (SQLite has one writer at a time: a long one
    would keep the web requests waiting).
    """
    EventCursor.objects.get_or_create(name=CURSOR_NAME)
    read = 0
    after_id = None
    settled = True
    for _ in range(max_batches):
        count, after_id, settled = _process_batch(after_id, settled)
        read += count
        if count < BATCH_SIZE or stop_requested():  # a stopping worker ends between batches
            break
    return read


def _process_batch(after_id: int | None, settled: bool) -> tuple[int, int | None, bool]:
    """Read one batch after ``after_id`` (None: after the cursor) and handle it.

    Returns how many events were read, the last id read, and whether every event read so far
    in this pass is settled (only then may the cursor move).
    """
    with transaction.atomic():
        cursors = EventCursor.objects.filter(name=CURSOR_NAME)
        if connection.features.has_select_for_update_skip_locked:
            cursors = cursors.select_for_update(skip_locked=True)
        cursor = cursors.first()
        if cursor is None:  # another worker is reading the timeline right now
            return 0, after_id, settled
        if after_id is None or after_id < cursor.last_event_id:
            after_id = cursor.last_event_id
        now = timezone.now()
        settle_before = now - timedelta(seconds=SETTLE_SECONDS)
        events = list(Event.objects.filter(id__gt=after_id).order_by("id")[:BATCH_SIZE])
        if not events:
            return 0, after_id, settled
        end_runs(events, now)
        start_runs(events, now)
        sync_consent_history(events, now)
        for event in events:
            if settled and event.created_at <= settle_before:
                cursor.last_event_id = event.id
            else:
                settled = False
        cursor.save(update_fields=["last_event_id", "updated_at"])
        return len(events), events[-1].id, settled


def _payload_matches(event: Event, trigger_filter: dict) -> bool:
    return all(event.payload.get(key) == value for key, value in trigger_filter.items())


def start_runs(events: list[Event], now: datetime) -> int:
    """Start a run of every enabled flow each event triggers (once per flow and event)."""
    shop_ids = {event.shop_id for event in events}
    types = {trigger for event in events for trigger in trigger_types_of(event.type)}
    flows_by_trigger: dict[tuple[int, str], list[Flow]] = defaultdict(list)
    flows = Flow.objects.filter(shop_id__in=shop_ids, trigger_type__in=types, enabled=True)
    for flow in flows:
        flows_by_trigger[(flow.shop_id, flow.trigger_type)].append(flow)
    if not flows_by_trigger:
        return 0
    first_steps = {}
    for step in Step.objects.filter(flow__in=flows).order_by("flow_id", "position"):
        first_steps.setdefault(step.flow_id, step)

    candidates = [
        (flow, event)
        for event in events
        for trigger in trigger_types_of(event.type)
        for flow in flows_by_trigger.get((event.shop_id, trigger), ())
        if flow.id in first_steps
        and now - event.occurred_at <= flow.max_trigger_lag
        and _payload_matches(event, flow.trigger_filter or {})
    ]
    if not candidates:
        return 0
    started = set(
        FlowRun.objects.filter(
            trigger_event_id__in={event.id for _, event in candidates},
            flow_id__in={flow.id for flow, _ in candidates},
        ).values_list("flow_id", "trigger_event_id")
    )
    candidates = [(flow, event) for flow, event in candidates if (flow.id, event.id) not in started]
    subjects = load_subjects(
        {(event.shop_id, event.subject_type, event.subject_id) for _, event in candidates}
    )
    run_rows = []
    for flow, event in candidates:
        subject = subjects[(event.shop_id, event.subject_type, event.subject_id)]
        customer_id = event.customer_id or customer_id_of(event.subject_type, subject)
        if customer_id is None:
            continue
        run_rows.append(
            {
                "shop_id": event.shop_id,
                "flow_id": flow.id,
                "customer_id": customer_id,
                "trigger_event_id": event.id,
                "subject_type": event.subject_type,
                "subject_id": event.subject_id,
                "order_id": order_id_of(event.subject_type, subject),
                "state": FlowRun.State.ACTIVE,
                "control": in_control_group(flow, customer_id),
                "exit_reason": "",
                "started_at": now,
                "ended_at": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    if not run_rows:
        return 0
    run_ids = insert_rows(FlowRun, run_rows)
    step_rows = []
    for row, run_id in zip(run_rows, run_ids, strict=True):
        step = first_steps[row["flow_id"]]
        subject = subjects[(row["shop_id"], row["subject_type"], row["subject_id"])]
        step_rows.append(
            {
                "shop_id": row["shop_id"],
                "run_id": run_id,
                "step_id": step.id,
                "due_at": due_at_for(step, subject, now),
                "state": StepRun.State.PENDING,
                "attempts": 0,
                "claimed_until": None,
                "claimed_by": "",
                "skip_reason": "",
                "last_error": "",
                "finished_at": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    insert_rows(StepRun, step_rows)
    return len(run_rows)


def end_runs(events: list[Event], now: datetime) -> int:
    """End active runs that list an event's type as an exit event and are about its subject
    (or about the order the event is about)."""
    shop_ids = {event.shop_id for event in events}
    exit_flows: dict[tuple[int, str], list[int]] = defaultdict(list)
    for flow in Flow.objects.filter(shop_id__in=shop_ids).exclude(exit_events=[]):
        for event_type in flow.exit_events or []:
            exit_flows[(flow.shop_id, event_type)].append(flow.id)
    exits = [e for e in events if (e.shop_id, e.type) in exit_flows]
    if not exits:
        return 0
    flow_ids = {flow_id for ids in exit_flows.values() for flow_id in ids}
    subject_ids = {e.subject_id for e in exits}
    order_ids = {e.subject_id for e in exits if e.subject_type == "order"}
    active = FlowRun.objects.filter(flow_id__in=flow_ids, state=FlowRun.State.ACTIVE).filter(
        Q(subject_id__in=subject_ids) | Q(order_id__in=order_ids)
    )
    by_subject: dict[tuple, list[FlowRun]] = defaultdict(list)
    by_order: dict[tuple, list[FlowRun]] = defaultdict(list)
    for run in active:
        by_subject[(run.shop_id, run.subject_type, run.subject_id)].append(run)
        if run.order_id is not None:
            by_order[(run.shop_id, run.order_id)].append(run)
    ended = set()
    for event in exits:
        matching = list(by_subject.get((event.shop_id, event.subject_type, event.subject_id), []))
        if event.subject_type == "order":
            matching += by_order.get((event.shop_id, event.subject_id), [])
        for run in matching:
            if run.flow_id in exit_flows[(event.shop_id, event.type)] and run.pk not in ended:
                exit_run(run, reason=event.type, now=now)
                ended.add(run.pk)
    return len(ended)


def exit_run(run: FlowRun, *, reason: str, now: datetime) -> None:
    """End ``run`` and cancel its waiting step (a step being sent right now finishes first)."""
    FlowRun.objects.filter(pk=run.pk, state=FlowRun.State.ACTIVE).update(
        state=FlowRun.State.EXITED, exit_reason=reason[:200], ended_at=now, updated_at=now
    )
    StepRun.objects.filter(run_id=run.pk, state=StepRun.State.PENDING).update(
        state=StepRun.State.CANCELLED, skip_reason=reason[:200], finished_at=now, updated_at=now
    )
    # A message waiting to be retried goes with its step.
    Message.objects.filter(run_id=run.pk, state=Message.State.RETRYING).update(
        state=Message.State.CANCELLED,
        last_error=reason[:200],
        next_attempt_at=None,
        updated_at=now,
    )


CONSENT_EVENTS = (types.CUSTOMER_CREATED, types.CUSTOMER_CONSENT_CHANGED)


def sync_consent_history(events: list[Event], now: datetime) -> int:
    """Keep the Consent history in step with consent given or withdrawn at ingest.

    Ingest (API, webhooks, CSV) writes the customer's consent fields directly and records a
    ``customer.created`` or ``customer.consent_changed`` event. When the customer's e-mail
    consent differs from the latest history row, a row is added from the customer's fields;
    a withdrawal also ends their marketing runs. (Changes made through flows' own services
    already wrote their row, so nothing is added twice.)
    """
    customer_ids = {e.customer_id for e in events if e.type in CONSENT_EVENTS and e.customer_id}
    if not customer_ids:
        return 0
    latest: dict[int, bool] = {}
    for consent in Consent.objects.filter(
        customer_id__in=customer_ids, channel=Channel.EMAIL, purpose="marketing"
    ).order_by("at", "id"):
        latest[consent.customer_id] = consent.granted
    added = []
    withdrawn = []
    for customer in Customer.objects.filter(pk__in=customer_ids):
        if latest.get(customer.pk, False) == customer.marketing_consent:
            continue
        added.append(
            Consent(
                shop_id=customer.shop_id,
                customer=customer,
                channel=Channel.EMAIL,
                purpose="marketing",
                granted=customer.marketing_consent,
                at=customer.consent_at or now,
                source=customer.consent_source or "ingest",
                wording_version=customer.consent_wording_version,
            )
        )
        if not customer.marketing_consent:
            withdrawn.append(customer.pk)
    Consent.objects.bulk_create(added)
    for run in FlowRun.objects.filter(
        customer_id__in=withdrawn, state=FlowRun.State.ACTIVE, flow__kind=Kind.MARKETING
    ):
        exit_run(run, reason="consent withdrawn", now=now)
    return len(added)
