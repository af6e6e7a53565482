"""The worker's side of flows: claim due step runs, run them, schedule what comes next.

Claiming marks a batch of due StepRuns ``running`` with a lease (``claimed_until``) inside a
transaction that locks them with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
workers share the work without taking the same row. A StepRun whose lease expired (its worker
died) is claimed again. Failures are retried with exponential backoff.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import time
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from aftersale.env import env_int
from aftersale.flows import outbox
from aftersale.flows.conditions import CONDITIONS, failing_condition, pause_reason
from aftersale.flows.context import build_context
from aftersale.flows.models import (
    Channel,
    FlowRun,
    Kind,
    Message,
    MessagingSettings,
    Step,
    StepRun,
    Suppression,
    Template,
)
from aftersale.flows.schedule import anchor_time, due_at_for, quiet_until
from aftersale.flows.subjects import load_subject
from aftersale.flows.triggers import exit_run
from aftersale.privacy.suppression import is_erased
from aftersale.timeline import types
from aftersale.timeline.services import record_event

logger = logging.getLogger("aftersale.flows")

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
PAUSE_RECHECK = timedelta(hours=6)
CAP_RECHECK = timedelta(minutes=30)
# An anchored wait ("3 days before held-until") whose moment had passed by more than this when
# the run reached it is skipped, so a late reminder is not sent right after the first notice.
LATE_GRACE = timedelta(hours=1)


def lease() -> timedelta:
    """How long a claimed step stays with its worker before another may take it over."""
    return timedelta(seconds=env_int("FLOWS_CLAIM_LEASE_SECONDS", 300))


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


class Lookups:
    """What one pass reads again and again (settings, templates, steps), read once per pass."""

    def __init__(self) -> None:
        self.messaging: dict[int, MessagingSettings] = {}
        self.templates: dict[tuple[int, str], dict[str, Template]] = {}
        self.steps: dict[int, list[Step]] = {}

    def messaging_for(self, shop) -> MessagingSettings:
        if shop.pk not in self.messaging:
            self.messaging[shop.pk] = messaging_for(shop)
        return self.messaging[shop.pk]

    def templates_for(self, shop, key: str) -> dict[str, Template]:
        if (shop.pk, key) not in self.templates:
            self.templates[(shop.pk, key)] = {
                t.language: t for t in Template.objects.for_shop(shop).filter(key=key)
            }
        return self.templates[(shop.pk, key)]

    def steps_of(self, flow_id: int) -> list[Step]:
        if flow_id not in self.steps:
            self.steps[flow_id] = list(Step.objects.filter(flow_id=flow_id).order_by("position"))
        return self.steps[flow_id]


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_abandoned(now: datetime | None = None) -> int:
    """Release claims of workers on this host that are no longer running (killed, crashed),
    so a restarted worker carries on at once instead of waiting for their lease to expire."""
    now = now or timezone.now()
    host = socket.gethostname()
    claimers = (
        StepRun.objects.filter(state=StepRun.State.RUNNING, claimed_by__startswith=f"{host}:")
        .values_list("claimed_by", flat=True)
        .distinct()
    )
    released = 0
    for claimer in list(claimers):
        pid = claimer.rsplit(":", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            released += StepRun.objects.filter(
                state=StepRun.State.RUNNING, claimed_by=claimer
            ).update(claimed_until=now - timedelta(seconds=1))
    return released


def claim_due(limit: int = 100, now: datetime | None = None) -> list[StepRun]:
    """Claim up to ``limit`` due step runs for this worker."""
    now = now or timezone.now()
    with transaction.atomic():
        due = StepRun.objects.filter(
            Q(state=StepRun.State.PENDING, due_at__lte=now)
            | Q(state=StepRun.State.RUNNING, claimed_until__lt=now)
        ).order_by("due_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            StepRun.objects.filter(id__in=ids).update(
                state=StepRun.State.RUNNING,
                claimed_until=now + lease(),
                claimed_by=worker_id(),
                updated_at=now,
            )
    return list(
        StepRun.objects.filter(id__in=ids)
        .select_related("run__flow", "run__customer", "run__shop", "run__order", "step")
        .order_by("due_at", "id")
    )


def run_due_steps(time_budget: float = 30.0, batch: int = 100) -> int:
    """Run due steps until none is left or the time budget is spent. Returns how many ran."""
    started = time.monotonic()
    done = 0
    mail = None
    lookups = Lookups()
    recover_abandoned()
    try:
        while time.monotonic() - started < time_budget:
            claimed = claim_due(batch)
            if not claimed:
                break
            if mail is None and any(sr.step.type == Step.Type.EMAIL for sr in claimed):
                mail = get_connection()
            for step_run in claimed:
                execute(step_run, mail=mail, lookups=lookups)
                done += 1
    finally:
        if mail is not None:
            try:
                mail.close()
            except Exception:  # a broken connection is closed either way
                logger.debug("closing the mail connection failed", exc_info=True)
    return done


def execute(step_run: StepRun, *, mail=None, lookups: Lookups | None = None) -> None:
    """Run one claimed step; on an error retry it later with backoff."""
    try:
        _execute(step_run, mail=mail, lookups=lookups or Lookups())
    except Exception as exc:
        logger.exception("step run %s failed", step_run.pk)
        if mail is not None:
            try:
                mail.close()
            except Exception:
                logger.debug("closing the mail connection failed", exc_info=True)
        retry_later(step_run, error=f"{type(exc).__name__}: {exc}")


def retry_later(step_run: StepRun, *, error: str) -> None:
    now = timezone.now()
    attempts = step_run.attempts + 1
    if attempts >= MAX_ATTEMPTS:  # give up on this step; the run goes on with the next one
        with transaction.atomic():
            StepRun.objects.filter(pk=step_run.pk).update(
                state=StepRun.State.FAILED,
                attempts=attempts,
                last_error=error,
                finished_at=now,
                updated_at=now,
            )
            Message.objects.filter(
                idempotency_key=outbox.idempotency_key(step_run), state=Message.State.PENDING
            ).update(state=Message.State.FAILED, updated_at=now)
            advance(step_run, now=now)
        return
    StepRun.objects.filter(pk=step_run.pk).update(
        state=StepRun.State.PENDING,
        attempts=attempts,
        last_error=error,
        due_at=now + backoff(attempts),
        claimed_until=None,
        updated_at=now,
    )


def _execute(step_run: StepRun, *, mail, lookups: Lookups) -> None:
    now = timezone.now()
    run, step = step_run.run, step_run.step
    if run.state != FlowRun.State.ACTIVE:
        finish(step_run, StepRun.State.CANCELLED, reason=run.exit_reason or "run ended", now=now)
        return
    if not run.flow.enabled:
        with transaction.atomic():
            exit_run(run, reason="flow turned off", now=now)
            finish(step_run, StepRun.State.CANCELLED, reason="flow turned off", now=now)
        return
    failing = failing_condition(run, run.flow.flow_filter or [], now)
    if failing is not None:
        reason = f"flow filter: {failing.name}"
        with transaction.atomic():
            finish(step_run, StepRun.State.SKIPPED, reason=reason, now=now)
            exit_run(run, reason=reason, now=now)
        return
    if step.type == Step.Type.WAIT:
        _wait(step_run, now)
    elif step.type == Step.Type.CONDITION:
        _condition(step_run, now)
    else:
        _send(step_run, now, mail=mail, lookups=lookups)


def _wait(step_run: StepRun, now: datetime) -> None:
    run, step = step_run.run, step_run.step
    if step.wait_anchor:
        subject = load_subject(run.shop_id, run.subject_type, run.subject_id)
        target = due_at_for(step, subject, now)
        if anchor_time(step, subject) is None:
            _skip_and_end(step_run, "no held-until date", now)
            return
        if target > now:  # the anchor moved later (e.g. the holding period was extended)
            defer(step_run, until=target, reason="")
            return
        if step_run.created_at - target > LATE_GRACE:
            _skip_and_end(step_run, "too late: the moment had passed", now)
            return
    with transaction.atomic():
        finish(step_run, StepRun.State.DONE, now=now)
        advance(step_run, now=now)


def _condition(step_run: StepRun, now: datetime) -> None:
    run, step = step_run.run, step_run.step
    condition = CONDITIONS.get(step.condition)
    holds = condition is not None and condition.holds(run, now)
    with transaction.atomic():
        if holds:
            finish(step_run, StepRun.State.DONE, now=now)
            advance(step_run, now=now)
        elif step.else_position is not None:
            finish(step_run, StepRun.State.DONE, reason=f"not {step.condition}", now=now)
            advance(step_run, now=now, to_position=step.else_position)
        else:
            finish(step_run, StepRun.State.SKIPPED, reason=f"not {step.condition}", now=now)
            exit_run(run, reason=f"not {step.condition}", now=now)


def _skip_and_end(step_run: StepRun, reason: str, now: datetime) -> None:
    with transaction.atomic():
        finish(step_run, StepRun.State.SKIPPED, reason=reason, now=now)
        exit_run(step_run.run, reason=reason, now=now)


def _skip_and_continue(step_run: StepRun, reason: str, now: datetime) -> None:
    with transaction.atomic():
        finish(step_run, StepRun.State.SKIPPED, reason=reason, now=now)
        advance(step_run, now=now)


def messaging_for(shop) -> MessagingSettings:
    messaging = MessagingSettings.objects.filter(shop=shop).first()
    return messaging or MessagingSettings(shop=shop)


def suppression_reason(shop, channel: str, address: str, kind: str) -> str:
    """Why the address may not get this kind of message ("" if it may)."""
    if is_erased(shop, channel, address):
        return "suppressed: erased customer"
    suppressions = Suppression.objects.for_shop(shop).filter(
        channel=channel, address__iexact=address
    )
    if kind == Kind.TRANSACTIONAL:
        suppressions = suppressions.filter(reason=Suppression.Reason.HARD_BOUNCE)
    first = suppressions.first()
    return f"suppressed: {first.reason}" if first else ""


def marketing_hold(step_run: StepRun, messaging: MessagingSettings, channel: str, now: datetime):
    """("skip", reason) or ("defer", until, reason) for a marketing step, or None to send now."""
    run = step_run.run
    customer = run.customer
    if not customer.marketing_consent or not _channel_consent(run, channel):
        return ("skip", "no marketing consent")
    paused = pause_reason(run.shop, customer.pk, now, messaging)
    if paused:
        return ("defer", now + PAUSE_RECHECK, paused)
    quiet_end = quiet_until(messaging, run.shop.time_zone, now)
    if quiet_end is not None:
        return ("defer", quiet_end, "deferred: quiet hours")
    if messaging.frequency_cap:
        window = timedelta(days=messaging.frequency_cap_days)
        recent = list(
            Message.objects.for_shop(run.shop)
            .filter(customer=customer, kind=Kind.MARKETING, state=Message.State.SENT)
            .filter(sent_at__gt=now - window)
            .order_by("sent_at")
            .values_list("sent_at", flat=True)
        )
        ahead = (
            StepRun.objects.filter(
                shop_id=run.shop_id,
                run__customer=customer,
                run__flow__kind=Kind.MARKETING,
                run__flow__priority__gt=run.flow.priority,
                step__type__in=[Step.Type.EMAIL, Step.Type.SMS],
                state__in=[StepRun.State.PENDING, StepRun.State.RUNNING],
                due_at__lte=now,
            )
            .exclude(pk=step_run.pk)
            .count()
        )
        in_flight = (
            Message.objects.for_shop(run.shop)
            .filter(customer=customer, kind=Kind.MARKETING, state=Message.State.PENDING)
            .exclude(idempotency_key=outbox.idempotency_key(step_run))
            .count()
        )
        if in_flight and len(recent) + in_flight >= messaging.frequency_cap:
            return ("defer", now + CAP_RECHECK, "deferred: frequency cap")
        if len(recent) >= messaging.frequency_cap:
            return ("defer", recent[0] + window, "deferred: frequency cap")
        if len(recent) + ahead >= messaging.frequency_cap:
            return ("defer", now + CAP_RECHECK, "deferred: frequency cap (higher priority first)")
    return None


def _channel_consent(run: FlowRun, channel: str) -> bool:
    """E-mail follows the customer's marketing consent; SMS needs its own recorded consent."""
    if channel == Channel.EMAIL:
        return True
    latest = run.customer.consents.filter(channel=channel, purpose="marketing").first()
    return bool(latest and latest.granted)


def _send(step_run: StepRun, now: datetime, *, mail, lookups: Lookups) -> None:
    run, step = step_run.run, step_run.step
    customer = run.customer
    channel = Channel.SMS if step.type == Step.Type.SMS else Channel.EMAIL
    existing = Message.objects.filter(idempotency_key=outbox.idempotency_key(step_run)).first()
    if existing is None or existing.state != Message.State.PENDING:
        if existing is not None:  # already sent (or given up): nothing more to do
            with transaction.atomic():
                finish(step_run, StepRun.State.DONE, now=now)
                advance(step_run, now=now)
            return
        address = customer.email if channel == Channel.EMAIL else customer.phone
        if not address:
            _skip_and_continue(step_run, f"no {channel} address", now)
            return
        suppressed = suppression_reason(run.shop, channel, address, run.flow.kind)
        if suppressed:
            _skip_and_continue(step_run, suppressed, now)
            return
        messaging = lookups.messaging_for(run.shop)
        if run.flow.kind == Kind.MARKETING:
            hold = marketing_hold(step_run, messaging, channel, now)
            if hold is not None and hold[0] == "skip":
                _skip_and_continue(step_run, hold[1], now)
                return
            if hold is not None:
                defer(step_run, until=hold[1], reason=hold[2])
                return
        message = outbox.prepare(
            step_run,
            recipient=address,
            context_for=build_context,
            templates=lookups.templates_for(run.shop, step.template_key),
        )
        if message is None:
            _skip_and_continue(step_run, f"no template {step.template_key}", now)
            return
    else:
        message = existing  # recovering after a crash: the message may or may not have gone out
        messaging = lookups.messaging_for(run.shop)
    from_email = _from_email(messaging, run.shop.name)
    try:
        provider_id = outbox.send(message, from_email=from_email, connection=mail)
    except smtplib.SMTPRecipientsRefused as exc:
        _give_up(step_run, message, f"recipient refused: {exc.recipients}", now)
        return
    now = timezone.now()
    with transaction.atomic():
        outbox.mark_sent(message, provider_id=provider_id, now=now)
        record_event(
            run.shop,
            types.MESSAGE_SENT,
            subject=message,
            customer=customer,
            payload={
                "flow": run.flow.name,
                "channel": message.channel,
                "subject": message.subject,
                "kind": message.kind,
            },
            occurred_at=now,
        )
        finish(step_run, StepRun.State.DONE, now=now)
        advance(step_run, now=now, steps=lookups.steps_of(run.flow_id))


def _from_email(messaging: MessagingSettings, shop_name: str) -> str:
    from aftersale.flows.channels import sender_for

    return sender_for(messaging, shop_name)


def _give_up(step_run: StepRun, message: Message, reason: str, now: datetime) -> None:
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(state=Message.State.FAILED, updated_at=now)
        finish(step_run, StepRun.State.FAILED, reason=reason, now=now)
        advance(step_run, now=now)


def defer(step_run: StepRun, *, until: datetime, reason: str) -> None:
    """Put the step back to wait until ``until`` (a deferral is not a failure)."""
    StepRun.objects.filter(pk=step_run.pk).update(
        state=StepRun.State.PENDING,
        due_at=until,
        skip_reason=reason[:200],
        claimed_until=None,
        updated_at=timezone.now(),
    )


def finish(step_run: StepRun, state: str, *, now: datetime, reason: str = "") -> None:
    StepRun.objects.filter(pk=step_run.pk).update(
        state=state, skip_reason=reason[:200], finished_at=now, claimed_until=None, updated_at=now
    )


def advance(
    step_run: StepRun,
    *,
    now: datetime,
    to_position: int | None = None,
    steps: list[Step] | None = None,
) -> None:
    """Schedule the run's next step, or complete the run after its last one."""
    run = step_run.run
    if steps is None:
        steps = list(Step.objects.filter(flow_id=run.flow_id).order_by("position"))
    if to_position is not None:
        following = [s for s in steps if s.position >= to_position]
    else:
        following = [s for s in steps if s.position > step_run.step.position]
    step = following[0] if following else None
    if step is None:
        FlowRun.objects.filter(pk=run.pk, state=FlowRun.State.ACTIVE).update(
            state=FlowRun.State.COMPLETED, ended_at=now, updated_at=now
        )
        return
    subject = (
        load_subject(run.shop_id, run.subject_type, run.subject_id) if step.wait_anchor else None
    )
    StepRun.objects.create(
        shop_id=run.shop_id, run=run, step=step, due_at=due_at_for(step, subject, now)
    )
