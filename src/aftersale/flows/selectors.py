"""Reads for the back-office: per-flow and per-step metrics, templates by key."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from aftersale.flows.models import Flow, FlowRun, Message, Step, StepRun, Template


@dataclass
class Metrics:
    entered: int = 0
    control: int = 0  # entered in the control group: no message (flows.holdout)
    waiting: int = 0
    sent: int = 0
    skipped: int = 0
    unsubscribed: int = 0
    bounced: int = 0
    failed: int = 0  # given up: permanent refusals, hard bounces at sending, retries used up
    retrying: int = 0  # refused for now, waiting for their next attempt
    skip_reasons: dict[str, int] = field(default_factory=dict)


# Messages the worker gave up on (a provider's later bounce of a sent message is not one).
FAILED = Q(state=Message.State.FAILED) | Q(state=Message.State.BOUNCED, failed_at__isnull=False)


def dead_letters(shop, *, state: str = "", flow_id: int | None = None, step_id: int | None = None):
    """The shop's messages that failed (``state="failed"``) or wait to be retried
    (``"retrying"``), or both (``""``), newest first, with what a list shows in the same query."""
    if state == Message.State.FAILED:
        wanted = FAILED
    elif state == Message.State.RETRYING:
        wanted = Q(state=Message.State.RETRYING)
    else:
        wanted = FAILED | Q(state=Message.State.RETRYING)
    messages = Message.objects.for_shop(shop).filter(wanted)
    if flow_id is not None:
        messages = messages.filter(run__flow_id=flow_id)
    if step_id is not None:
        messages = messages.filter(step_id=step_id)
    return messages.select_related("customer", "run__flow", "step").order_by("-updated_at", "-id")


def _message_counts(queryset, key: str) -> dict[int, dict]:
    rows = queryset.values(key).annotate(
        sent=Count("id", filter=Q(state__in=[Message.State.SENT, Message.State.BOUNCED])),
        unsubscribed=Count("id", filter=Q(unsubscribed_at__isnull=False)),
        bounced=Count("id", filter=Q(state=Message.State.BOUNCED)),
        failed=Count("id", filter=FAILED),
        retrying=Count("id", filter=Q(state=Message.State.RETRYING)),
    )
    return {row[key]: row for row in rows}


def _step_run_counts(queryset, key: str) -> tuple[dict[int, int], dict[int, dict[str, int]]]:
    waiting = dict(
        queryset.filter(state__in=[StepRun.State.PENDING, StepRun.State.RUNNING])
        .values(key)
        .annotate(n=Count("id"))
        .values_list(key, "n")
    )
    reasons: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        queryset.filter(state=StepRun.State.SKIPPED)
        .values(key, "skip_reason")
        .annotate(n=Count("id"))
        .order_by(key, "-n")
    ):
        reasons[row[key]][row["skip_reason"] or "—"] = row["n"]
    return waiting, reasons


def flow_metrics(shop) -> dict[int, Metrics]:
    """Metrics for every flow of ``shop``, by flow id (five grouped queries in all)."""
    entered: dict[int, int] = {}
    control: dict[int, int] = {}
    for flow_id, n, held_out in (
        FlowRun.objects.for_shop(shop)
        .values("flow_id")
        .annotate(n=Count("id"), held_out=Count("id", filter=Q(control=True)))
        .values_list("flow_id", "n", "held_out")
    ):
        entered[flow_id] = n
        control[flow_id] = held_out
    messages = _message_counts(Message.objects.for_shop(shop), "run__flow_id")
    waiting, reasons = _step_run_counts(StepRun.objects.for_shop(shop), "run__flow_id")
    result = {}
    for flow_id in Flow.objects.for_shop(shop).values_list("id", flat=True):
        counts = messages.get(flow_id, {})
        result[flow_id] = Metrics(
            entered=entered.get(flow_id, 0),
            control=control.get(flow_id, 0),
            waiting=waiting.get(flow_id, 0),
            sent=counts.get("sent", 0),
            unsubscribed=counts.get("unsubscribed", 0),
            bounced=counts.get("bounced", 0),
            failed=counts.get("failed", 0),
            retrying=counts.get("retrying", 0),
            skipped=sum(reasons.get(flow_id, {}).values()),
            skip_reasons=reasons.get(flow_id, {}),
        )
    return result


def step_metrics(shop, flow: Flow) -> dict[int, Metrics]:
    """Metrics for each step of ``flow``, by step id."""
    step_runs = StepRun.objects.for_shop(shop).filter(run__flow=flow)
    entered = dict(step_runs.values("step_id").annotate(n=Count("id")).values_list("step_id", "n"))
    messages = _message_counts(Message.objects.for_shop(shop).filter(run__flow=flow), "step_id")
    waiting, reasons = _step_run_counts(step_runs, "step_id")
    result = {}
    for step in flow.steps.all():
        counts = messages.get(step.pk, {})
        result[step.pk] = Metrics(
            entered=entered.get(step.pk, 0),
            waiting=waiting.get(step.pk, 0),
            sent=counts.get("sent", 0),
            unsubscribed=counts.get("unsubscribed", 0),
            bounced=counts.get("bounced", 0),
            failed=counts.get("failed", 0),
            retrying=counts.get("retrying", 0),
            skipped=sum(reasons.get(step.pk, {}).values()),
            skip_reasons=reasons.get(step.pk, {}),
        )
    return result


def templates_by_key(shop) -> dict[str, list[Template]]:
    grouped: dict[str, list[Template]] = defaultdict(list)
    for template in Template.objects.for_shop(shop).order_by("key", "language"):
        grouped[template.key].append(template)
    return dict(grouped)


def template_use(shop) -> dict[str, list[Flow]]:
    """The flows whose steps send each template key (one query)."""
    using: dict[str, list[Flow]] = defaultdict(list)
    steps = (
        Step.objects.for_shop(shop)
        .exclude(template_key="")
        .select_related("flow")
        .order_by("template_key", "flow__name")
    )
    for step in steps:
        if step.flow not in using[step.template_key]:
            using[step.template_key].append(step.flow)
    return dict(using)
