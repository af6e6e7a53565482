"""The worker's side of flows: claim due step runs, run them, schedule what comes next.

Claiming marks a batch of due StepRuns ``running`` with a lease (``claimed_until``) and a new
random ``claim_token`` inside a transaction that locks them with ``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so several workers share the work without taking the same row. While
the batch runs a heartbeat thread renews the lease; every write about a step checks that the
row still carries the token, so a worker whose claim was taken over changes nothing. A StepRun
whose lease expired (its worker died) is claimed again.

Sends are pipelined per batch: the batch's messages are rendered and written in one insert,
their attempts counted in one update, sent over one connection, and recorded in one
transaction; a sending thread sends one batch while the next is prepared, and each batch is
recorded before the next is sent. Temporary failures are retried with exponential backoff;
permanent ones are given up at once (docs/operators/workers.md).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone
from django.utils.text import slugify

from aftersale.core.worker import check_stop, stop_requested
from aftersale.env import env_int
from aftersale.flows import channels, outbox
from aftersale.flows import products as product_blocks
from aftersale.flows.conditions import CONDITIONS, failing_condition, pause_reason
from aftersale.flows.context import build_context
from aftersale.flows.holdout import CONTROL_SKIP_REASON
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
from aftersale.flows.subjects import load_subject, load_subjects
from aftersale.flows.triggers import exit_run
from aftersale.privacy.suppression import ERASED, erased_addresses
from aftersale.timeline import types
from aftersale.timeline.services import event_row, record_events

logger = logging.getLogger("aftersale.flows")

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
PAUSE_RECHECK = timedelta(hours=6)
CAP_RECHECK = timedelta(minutes=30)
# An anchored wait ("3 days before held-until") whose moment had passed by more than this when
# the run reached it is skipped, so a late reminder is not sent right after the first notice.
LATE_GRACE = timedelta(hours=1)
TOO_LATE = "too late: the holding deadline has passed"
NOTHING_TO_OFFER = "no products to offer"
REORDER_PASSED = "too late: the expected reorder date has passed"
NO_ANCHOR = {
    Step.WaitAnchor.HELD_UNTIL: "no held-until date",
    Step.WaitAnchor.REORDER_DUE: "no reorder interval known",
}
# The built-in usage tips' template; a shop's own tips for a category are found by its name.
USAGE_TIPS = "usage_tips"


def lease() -> timedelta:
    """How long a claimed step stays with its worker before another may take it over."""
    return timedelta(seconds=env_int("FLOWS_CLAIM_LEASE_SECONDS", 300))


def batch_size() -> int:
    """Steps claimed (and messages recorded) at a time: also the most messages a crash can
    send twice (docs/operators/workers.md)."""
    return max(1, env_int("FLOWS_BATCH_SIZE", 50))


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


class ClaimLost(Exception):
    """The step run no longer carries this worker's claim token: another worker took it."""


@dataclass
class Claim:
    """A batch of step runs claimed with one token, and until when the lease holds."""

    token: str
    step_runs: list[StepRun]
    until: datetime
    lease: timedelta

    def may_send(self) -> bool:
        """True while more than a third of the lease is left (the heartbeat renews it every
        quarter): a worker whose renewals fail stops sending before anyone can take over."""
        return timezone.now() < self.until - self.lease / 3


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

    def deadline_wait(self, step: Step) -> Step | None:
        """The wait counted back from the holding deadline that comes before ``step``, if the
        flow has one (its messages are reminders of that deadline)."""
        before = [s for s in self.steps_of(step.flow_id) if s.position < step.position]
        for candidate in reversed(before):
            if candidate.type == Step.Type.WAIT and candidate.wait_anchor:
                return candidate if candidate.wait_anchor == Step.WaitAnchor.HELD_UNTIL else None
        return None


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


def _due(now: datetime):
    return Q(state=StepRun.State.PENDING, due_at__lte=now) | Q(
        state=StepRun.State.RUNNING, claimed_until__lt=now
    )


def claim_due(limit: int = 50, now: datetime | None = None) -> Claim:
    """Claim up to ``limit`` due step runs for this worker under a new token."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    length = lease()
    with transaction.atomic():
        due = StepRun.objects.filter(_due(now)).order_by("due_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            # The due condition again: without row locks (SQLite) another worker may have
            # claimed some of them since the select; it keeps those.
            StepRun.objects.filter(_due(now), id__in=ids).update(
                state=StepRun.State.RUNNING,
                claimed_until=now + length,
                claimed_by=worker_id(),
                claim_token=token,
                updated_at=now,
            )
    step_runs = (
        list(
            StepRun.objects.filter(id__in=ids, claim_token=token)
            .select_related("run__flow", "run__customer", "run__shop", "run__order", "step")
            .prefetch_related("run__order__lines")
            .order_by("due_at", "id")
        )
        if ids
        else []
    )
    return Claim(token=token, step_runs=step_runs, until=now + length, lease=length)


class Heartbeat:
    """Renews the lease of every claim the worker holds, every quarter of the lease, in a thread
    with its own database connection, so a send blocked on a slow server does not let the
    lease run out. A claim is held from its claim until its batch is recorded."""

    def __init__(self) -> None:
        self.claims: list[Claim] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._renew, name="flows-lease", daemon=True)
        self.thread.start()

    def add(self, claim: Claim) -> None:
        with self.lock:
            self.claims.append(claim)

    def remove(self, claim: Claim) -> None:
        with self.lock:
            if claim in self.claims:
                self.claims.remove(claim)

    def _renew(self) -> None:
        try:
            while not self.stop.wait(self._interval()):
                with self.lock:
                    due = list(self.claims)
                if not due:
                    continue
                until = timezone.now() + due[0].lease
                try:
                    StepRun.objects.filter(
                        claim_token__in=[c.token for c in due], state=StepRun.State.RUNNING
                    ).update(claimed_until=until)
                except DatabaseError as exc:
                    logger.info("could not renew the lease of a batch: %s", exc)
                    continue
                for claim in due:
                    claim.until = until
        finally:
            connection.close()

    def _interval(self) -> float:
        return lease().total_seconds() / 4

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


@contextmanager
def heartbeat(claim: Claim):
    """Renew ``claim``'s lease while the block runs."""
    beat = Heartbeat()
    beat.add(claim)
    try:
        yield
    finally:
        beat.close()


def run_due_steps(time_budget: float = 30.0, batch: int | None = None) -> int:
    """Run due steps, a batch at a time, until none is left, the time budget is spent or the
    worker is stopping (checked between batches, and between messages by the sending thread:
    ``Stopped`` is raised once what was sent has been recorded and the rest given back to the
    queue). Returns how many ran.

    One batch is built and sent on a sending thread while the next one is claimed, run and
    prepared (rendered, written); the sent batch is recorded before the next one is
    handed to the sending thread, so at most one batch is ever sent and not yet recorded."""
    batch = batch or batch_size()
    started = time.monotonic()
    recover_abandoned()
    check_stop()
    claim = claim_due(batch)
    if not claim.step_runs:
        return 0
    done = 0
    with Pipeline(Lookups()) as pipeline:
        while claim.step_runs:
            pipeline.run(claim)
            done += len(claim.step_runs)
            if time.monotonic() - started >= time_budget:
                break
            check_stop()
            claim = claim_due(batch)
    return done


def run_batch(claim: Claim, *, mailer: channels.Mailer, lookups: Lookups) -> None:
    """Run one claimed batch from start to end: waits and conditions one by one, then all its
    sends together (``run_due_steps`` does the same with the sends of one batch overlapping
    the preparation of the next)."""
    with heartbeat(claim):
        batch = Batch(claim, Sender(claim, mailer, lookups))
        batch.prepare()
        batch.finish(batch.send())


@dataclass
class Batch:
    """A claimed batch on its way: prepared in the main thread, sent in the sending thread,
    recorded in the main thread."""

    claim: Claim
    sender: Sender
    staged: Staged | None = None

    def prepare(self) -> None:
        sends = []
        for step_run in self.claim.step_runs:
            if step_run.step.sends:
                sends.append(step_run)
            else:
                _guarded(step_run, self.claim, _execute, lookups=self.sender.lookups)
        if sends:
            try:
                self.staged = self.sender.stage(sends)
            except Exception as exc:
                self.fail(exc, sends)

    def send(self) -> Sent | None:
        """Send the prepared messages (any thread: no database access)."""
        return self.sender.send(self.staged) if self.staged is not None else None

    def finish(self, sent: Sent | None) -> None:
        if sent is not None:
            try:
                self.sender.record(sent)
            except Exception as exc:
                assert self.staged is not None
                self.fail(exc, [step_run for step_run, *_ in self.staged.ready])

    def fail(self, exc: BaseException, step_runs: list[StepRun]) -> None:
        logger.error("a batch of %d sends failed", len(step_runs), exc_info=exc)
        for step_run in step_runs:
            _guarded(step_run, self.claim, _retry_unfinished, error=f"{type(exc).__name__}: {exc}")

    def release(self) -> None:
        """Give the prepared, unsent messages' steps back (the worker is stopping)."""
        if self.staged is not None:
            self.sender.release(self.staged)


class Pipeline:
    """The batches of a pass: each is prepared while the one before it is sent on the sending
    thread (one SMTP connection for the pass), then recorded before the next is handed over."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups
        self.mailer = channels.Mailer()
        self.heartbeat = Heartbeat()
        self.sending = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flows-send")
        self.in_flight: tuple[Batch, Future] | None = None

    def __enter__(self) -> Pipeline:
        return self

    def run(self, claim: Claim) -> None:
        self.heartbeat.add(claim)
        batch = Batch(claim, Sender(claim, self.mailer, self.lookups))
        try:
            batch.prepare()
        finally:
            self.collect()
        if stop_requested():
            batch.release()
            self.heartbeat.remove(claim)
            check_stop()
        self.in_flight = (batch, self.sending.submit(batch.send))

    def collect(self) -> None:
        """Wait for the batch being sent and record it."""
        if self.in_flight is None:
            return
        batch, future = self.in_flight
        self.in_flight = None
        try:
            sent = future.result()
        except Exception as exc:  # a bug: the messages stay pending and are retried
            staged = batch.staged.ready if batch.staged is not None else []
            batch.fail(exc, [step_run for step_run, *_ in staged])
        else:
            batch.finish(sent)
        finally:
            self.heartbeat.remove(batch.claim)

    def __exit__(self, *exc_info) -> None:
        try:
            self.collect()
        finally:
            self.sending.submit(self._close_sending).result()
            self.sending.shutdown()
            self.heartbeat.close()

    def _close_sending(self) -> None:
        """In the sending thread: its connection, and its database connection if a channel
        (an SMS provider) opened one."""
        self.mailer.close()
        connection.close()


def _guarded(step_run: StepRun, claim: Claim, func, **kwargs) -> None:
    """Run ``func`` for one step; an error is retried later with backoff."""
    try:
        func(step_run, claim, **kwargs)
    except ClaimLost:
        logger.info("step run %s was taken over by another worker", step_run.pk)
    except Exception as exc:
        logger.exception("step run %s failed", step_run.pk)
        try:
            retry_later(step_run, claim, error=f"{type(exc).__name__}: {exc}")
        except ClaimLost:
            pass


def _retry_unfinished(step_run: StepRun, claim: Claim, *, error: str) -> None:
    mine = StepRun.objects.filter(
        pk=step_run.pk, claim_token=claim.token, state=StepRun.State.RUNNING
    )
    if mine.exists():
        retry_later(step_run, claim, error=error)


def retry_later(step_run: StepRun, claim: Claim, *, error: str) -> None:
    """Put the step back with backoff, or give it up after MAX_ATTEMPTS (the run goes on)."""
    now = timezone.now()
    attempts = step_run.attempts + 1
    with transaction.atomic():
        if attempts >= MAX_ATTEMPTS:
            finish(step_run, claim, StepRun.State.FAILED, now=now, error=error)
            Message.objects.filter(
                idempotency_key=outbox.idempotency_key(step_run), state__in=outbox.SENDABLE
            ).update(
                state=Message.State.FAILED,
                failure_class=Message.FailureClass.TEMPORARY,
                failed_at=now,
                next_attempt_at=None,
                last_error=error,
                updated_at=now,
            )
            advance(step_run, now=now)
            logger.warning(
                "gave up step run %s after %d attempts: %s", step_run.pk, attempts, error
            )
            return
        _update_mine(
            step_run,
            claim,
            state=StepRun.State.PENDING,
            attempts=F("attempts") + 1,
            last_error=error,
            due_at=now + backoff(attempts),
            claimed_until=None,
            updated_at=now,
        )


def _update_mine(step_run: StepRun, claim: Claim, **fields) -> None:
    """Update the step run only while ``claim`` holds it; else raise ClaimLost (inside a
    transaction that rolls the caller's other writes back)."""
    updated = StepRun.objects.filter(
        pk=step_run.pk, claim_token=claim.token, state=StepRun.State.RUNNING
    ).update(**fields)
    if not updated:
        raise ClaimLost


def finish(
    step_run: StepRun, claim: Claim, state: str, *, now: datetime, reason: str = "", error=None
) -> None:
    """Close the step (only while this claim holds it; else ClaimLost rolls the caller back)."""
    fields = {"state": state, "skip_reason": reason[:200], "finished_at": now}
    if error is not None:
        fields["last_error"] = error
    _update_mine(step_run, claim, **fields, claimed_until=None, updated_at=now)


def defer(step_run: StepRun, claim: Claim, *, until: datetime, reason: str) -> None:
    """Put the step back to wait until ``until`` (a deferral is not a failure)."""
    _update_mine(
        step_run,
        claim,
        state=StepRun.State.PENDING,
        due_at=until,
        skip_reason=reason[:200],
        claimed_until=None,
        updated_at=timezone.now(),
    )


def _execute(step_run: StepRun, claim: Claim, *, lookups: Lookups) -> None:
    now = timezone.now()
    if not _still_going(step_run, claim, now):
        return
    if step_run.step.type == Step.Type.WAIT:
        _wait(step_run, claim, now)
    else:
        _condition(step_run, claim, now)


def _still_going(step_run: StepRun, claim: Claim, now: datetime) -> bool:
    """End the step if its run ended, its flow was turned off or the flow filter fails."""
    run = step_run.run
    if run.state != FlowRun.State.ACTIVE:
        with transaction.atomic():
            reason = run.exit_reason or "run ended"
            finish(step_run, claim, StepRun.State.CANCELLED, reason=reason, now=now)
        return False
    if not run.flow.enabled:
        with transaction.atomic():
            finish(step_run, claim, StepRun.State.CANCELLED, reason="flow turned off", now=now)
            exit_run(run, reason="flow turned off", now=now)
        return False
    failing = failing_condition(run, run.flow.flow_filter or [], now)
    if failing is not None:
        reason = f"flow filter: {failing.name}"
        with transaction.atomic():
            finish(step_run, claim, StepRun.State.SKIPPED, reason=reason, now=now)
            exit_run(run, reason=reason, now=now)
        return False
    return True


def _wait(step_run: StepRun, claim: Claim, now: datetime) -> None:
    run, step = step_run.run, step_run.step
    if step.wait_anchor:
        subject = load_subject(run.shop_id, run.subject_type, run.subject_id)
        anchor = anchor_time(step, subject)
        if anchor is None:
            _skip_and_end(step_run, claim, NO_ANCHOR.get(step.wait_anchor, "no date"), now)
            return
        target = due_at_for(step, subject, now)
        if now >= anchor:  # the deadline itself has passed (e.g. it was moved earlier)
            late = TOO_LATE if step.wait_anchor == Step.WaitAnchor.HELD_UNTIL else REORDER_PASSED
            _skip_and_end(step_run, claim, late, now)
            return
        if target > now:  # the anchor moved later (e.g. the holding period was extended)
            defer(step_run, claim, until=target, reason="")
            return
        if step_run.created_at - target > LATE_GRACE:
            _skip_and_end(step_run, claim, "too late: the moment had passed", now)
            return
    with transaction.atomic():
        finish(step_run, claim, StepRun.State.DONE, now=now)
        advance(step_run, now=now)


def _condition(step_run: StepRun, claim: Claim, now: datetime) -> None:
    run, step = step_run.run, step_run.step
    condition = CONDITIONS.get(step.condition)
    holds = condition is not None and condition.holds(run, now)
    with transaction.atomic():
        if holds:
            finish(step_run, claim, StepRun.State.DONE, now=now)
            advance(step_run, now=now)
        elif step.else_position is not None:
            finish(step_run, claim, StepRun.State.DONE, reason=f"not {step.condition}", now=now)
            advance(step_run, now=now, to_position=step.else_position)
        else:
            finish(step_run, claim, StepRun.State.SKIPPED, reason=f"not {step.condition}", now=now)
            exit_run(run, reason=f"not {step.condition}", now=now)


def _skip_and_end(step_run: StepRun, claim: Claim, reason: str, now: datetime) -> None:
    with transaction.atomic():
        finish(step_run, claim, StepRun.State.SKIPPED, reason=reason, now=now)
        exit_run(step_run.run, reason=reason, now=now)


def _skip_and_continue(step_run: StepRun, claim: Claim, reason: str, now: datetime) -> None:
    with transaction.atomic():
        finish(step_run, claim, StepRun.State.SKIPPED, reason=reason, now=now)
        advance(step_run, now=now)


def messaging_for(shop) -> MessagingSettings:
    messaging = MessagingSettings.objects.filter(shop=shop).first()
    return messaging or MessagingSettings(shop=shop)


def suppressed_addresses(step_runs: list[StepRun]) -> dict[tuple[int, str, str], set[str]]:
    """The suppression reasons of every address in the batch: (shop, channel, address)."""
    addresses = {_address(sr) for sr in step_runs} - {""}
    if not addresses:
        return {}
    # E-mail addresses are suppressed in lower case (services.suppress); phone numbers as given.
    rows = Suppression.objects.filter(
        shop_id__in={sr.shop_id for sr in step_runs},
        address__in=addresses | {address.lower() for address in addresses},
    ).values_list("shop_id", "channel", "address", "reason")
    found: dict[tuple[int, str, str], set[str]] = defaultdict(set)
    for shop_id, channel, address, reason in rows:
        found[(shop_id, channel, address.lower())].add(reason)
    # Addresses of erased customers are kept only as hashes (aftersale.privacy.suppression).
    candidates = {(sr.shop_id, _channel(sr), _address(sr)) for sr in step_runs if _address(sr)}
    for key in erased_addresses(candidates):
        found[key].add(ERASED)
    return found


def suppression_reason(reasons: set[str], kind: str) -> str:
    """Why the address may not get this kind of message ("" if it may): a hard bounce stops
    everything, an unsubscribe or complaint stops marketing."""
    if kind == Kind.TRANSACTIONAL:
        reasons = reasons & {Suppression.Reason.HARD_BOUNCE, ERASED}
    return f"suppressed: {sorted(reasons)[0]}" if reasons else ""


def marketing_hold(
    step_run: StepRun, messaging: MessagingSettings, channel: str, now: datetime
) -> tuple | None:
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
            .filter(customer=customer, kind=Kind.MARKETING, state__in=outbox.SENDABLE)
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


def _channel(step_run: StepRun) -> str:
    return Channel.SMS if step_run.step.type == Step.Type.SMS else Channel.EMAIL


def _address(step_run: StepRun) -> str:
    customer = step_run.run.customer
    return (customer.email if _channel(step_run) == Channel.EMAIL else customer.phone) or ""


def _from_email(messaging: MessagingSettings, shop_name: str) -> str:
    return channels.sender_for(messaging, shop_name)


# --- Sending a batch ------------------------------------------------------------------------


@dataclass
class Result:
    """What became of one message of the batch."""

    step_run: StepRun
    message: Message
    provider_id: str = ""
    failure: channels.Failure | None = None
    tried: bool = True
    late: bool = False  # not sent: the holding deadline had passed


@dataclass
class Staged:
    """A batch's messages ready to send: (step run, message, sender, the holding deadline a
    reminder must beat), and the steps whose message is already settled."""

    ready: list[tuple[StepRun, Message, str, datetime | None]] = field(default_factory=list)
    settled: list[tuple[StepRun, Message]] = field(default_factory=list)


@dataclass
class Sent:
    """What became of a staged batch: results, and the messages not tried because the worker
    is stopping or the lease could not be renewed."""

    settled: list[tuple[StepRun, Message]]
    results: list[Result] = field(default_factory=list)
    stopped: list[tuple[StepRun, Message]] = field(default_factory=list)


@dataclass
class Sender:
    """Sends the e-mail and SMS steps of one claimed batch: ``stage`` renders and writes the
    messages in one insert and counts their attempts in one update; ``send`` builds the
    e-mails and sends them over the mailer's connection; ``record`` records the results in
    one transaction."""

    claim: Claim
    mailer: channels.Mailer
    lookups: Lookups
    subjects: dict = field(default_factory=dict)
    tokens: Iterator[str] = field(default_factory=lambda: iter(()))

    def stage(self, step_runs: list[StepRun]) -> Staged | None:
        """Render and write the batch's new messages in one insert, count the attempts of
        those found from an earlier attempt in one update: what is left is to build and send
        them (``send``)."""
        now = timezone.now()
        live = [sr for sr in step_runs if self._guard(_still_going, sr, self.claim, now)]
        if not live:
            return None
        self.subjects = load_subjects(
            {
                (sr.run.shop_id, sr.run.subject_type, sr.run.subject_id)
                for sr in live
                if sr.run.subject_type != "order"
            }
        )
        keys = [outbox.idempotency_key(sr) for sr in live]
        existing = {m.idempotency_key: m for m in Message.objects.filter(idempotency_key__in=keys)}
        fresh = [sr for sr, key in zip(live, keys, strict=True) if key not in existing]
        suppressions = suppressed_addresses(fresh)
        self.tokens = iter(outbox.unsubscribe_tokens(len(fresh)))
        ready: list[tuple[StepRun, Message]] = []
        new: list[tuple[StepRun, Message]] = []
        settled: list[tuple[StepRun, Message]] = []
        for step_run, key in zip(live, keys, strict=True):
            message = existing.get(key)
            if message is None:
                message = self._guard(self._prepare, step_run, now, suppressions)
                if message is not None:
                    new.append((step_run, message))
            elif message.state in outbox.SENDABLE:
                ready.append((step_run, message))
            else:  # already sent, given up or cancelled: only the step is left to close
                settled.append((step_run, message))
        # Messages found from an earlier attempt have their attempt counted now; new ones are
        # written with it counted.
        counted = outbox.count_attempts(self.claim.token, [message for _, message in ready])
        if new:
            try:
                written = outbox.write(self.claim.token, new)
            except IntegrityError:  # written under an earlier claim a moment ago
                logger.info("messages of a batch were already written; they go next pass")
            else:
                ready += written
                counted |= {message.pk for _, message in written}
        staged = Staged(settled=settled)
        for step_run, message in ready:
            if message.pk not in counted:
                continue  # the step is no longer ours: its new owner sends it
            shop = step_run.run.shop
            from_email = _from_email(self.lookups.messaging_for(shop), shop.name)
            staged.ready.append((step_run, message, from_email, self._deadline(step_run)))
        return staged

    def _guard(self, func, step_run: StepRun, *args):
        try:
            return func(step_run, *args)
        except ClaimLost:
            logger.info("step run %s was taken over by another worker", step_run.pk)
            return None

    def _subject(self, step_run: StepRun):
        run = step_run.run
        if run.subject_type == "order":
            return run.order
        return self.subjects.get((run.shop_id, run.subject_type, run.subject_id))

    def _deadline(self, step_run: StepRun) -> datetime | None:
        """The holding deadline a reminder step is about (None for other steps)."""
        wait = self.lookups.deadline_wait(step_run.step)
        return anchor_time(wait, self._subject(step_run)) if wait is not None else None

    def _as_of(self, step_run: StepRun, now: datetime) -> datetime:
        """When the message was due: the reminder's moment if it is at most LATE_GRACE ago,
        so "3 days left" is counted from that moment's local date, not from a late send."""
        wait = self.lookups.deadline_wait(step_run.step)
        deadline = self._deadline(step_run)
        if wait is None or deadline is None:
            return now
        moment = deadline - (wait.wait or timedelta(0))
        return moment if timedelta(0) <= now - moment <= LATE_GRACE else now

    def _too_late(self, step_run: StepRun, at: datetime) -> bool:
        deadline = self._deadline(step_run)
        return deadline is not None and at >= deadline

    def _prepare(self, step_run: StepRun, now: datetime, suppressions) -> Message | None:
        """Build the step's message, or close/defer the step and return None."""
        run, claim = step_run.run, self.claim
        channel, address = _channel(step_run), _address(step_run)
        if not address:
            _skip_and_continue(step_run, claim, f"no {channel} address", now)
            return None
        reasons = suppressions.get((run.shop_id, channel, address.lower()), set())
        suppressed = suppression_reason(reasons, run.flow.kind)
        if suppressed:
            _skip_and_continue(step_run, claim, suppressed, now)
            return None
        if self._too_late(step_run, now):
            _skip_and_end(step_run, claim, TOO_LATE, now)
            return None
        if run.flow.kind == Kind.MARKETING:
            messaging = self.lookups.messaging_for(run.shop)
            hold = marketing_hold(step_run, messaging, channel, now)
            if hold is not None and hold[0] == "skip":
                _skip_and_continue(step_run, claim, hold[1], now)
                return None
            if hold is not None:
                defer(step_run, claim, until=hold[1], reason=hold[2])
                return None
        key = self._template_key(step_run)
        templates = self.lookups.templates_for(run.shop, key)
        template = outbox.choose_template(run.shop, run.customer, templates)
        if template is None:
            _skip_and_continue(step_run, claim, f"no template {key}", now)
            return None
        chosen: list = []
        if run.flow.kind == Kind.MARKETING and product_blocks.uses_products(template):
            chosen = product_blocks.products_for(run, now)
            if not chosen:  # a product e-mail with no products is not sent (to either group)
                _skip_and_continue(step_run, claim, NOTHING_TO_OFFER, now)
                return None
        if run.control:
            # The control group: everything up to here is as for the others; only the
            # message is withheld (flows.holdout).
            _skip_and_continue(step_run, claim, CONTROL_SKIP_REASON, now)
            return None
        context = build_context(
            run,
            template.language,
            as_of=self._as_of(step_run, now),
            subject=self._subject(step_run),
        )
        cards = product_blocks.cards(
            chosen, message_key=outbox.idempotency_key(step_run), language=template.language
        )
        return outbox.build(
            step_run,
            recipient=address,
            template=template,
            context=context,
            token=claim.token,
            unsubscribe_token=next(self.tokens, None),
            products=cards,
        )

    def _template_key(self, step_run: StepRun) -> str:
        """The step's template, or its version for the category of what was bought when the
        shop has written one (``usage-tips-<category>`` for the usage tips)."""
        key = step_run.step.template_key
        run = step_run.run
        if key != USAGE_TIPS or run.order is None:
            return key
        for line in run.order.lines.all():
            category = line.variant.product.category if line.variant_id else None
            if category is None:
                continue
            candidate = f"usage-tips-{slugify(category.name)}"[:60]
            if self.lookups.templates_for(run.shop, candidate):
                return candidate
        return key

    def send(self, staged: Staged) -> Sent:
        """Send the staged messages over the mailer's connection. Touches no database, so it
        may run in the sending thread while the next batch is prepared."""
        sent = Sent(settled=staged.settled)
        results = sent.results
        broken_in_a_row = 0
        broken: channels.Failure | None = None  # the connection failed, and so did reopening
        for step_run, message, from_email, deadline in staged.ready:
            if stop_requested() or not self.claim.may_send():
                # The worker is stopping, or the lease could not be renewed: stop here.
                sent.stopped.append((step_run, message))
                continue
            if broken is not None:  # the rest of the batch waits for the next attempt
                results.append(Result(step_run, message, failure=broken, tried=False))
                continue
            if deadline is not None and timezone.now() >= deadline:
                results.append(Result(step_run, message, tried=False, late=True))
                continue
            try:
                # The e-mail is built here: in the sending thread that overlaps the database
                # waits of the next batch's preparation.
                provider_id = self.mailer.send(message, from_email=from_email)
            except Exception as exc:
                failure = channels.failure_of(exc)
                if failure is None:  # not a refusal: a bug; keep the traceback
                    logger.exception("sending message %s failed", message.pk)
                    failure = channels.Failure(
                        channels.TEMPORARY, f"{type(exc).__name__}: {exc}", reset=True
                    )
                if failure.reset:
                    self.mailer.reset()
                    broken_in_a_row += 1
                    if broken_in_a_row >= 2:
                        broken = failure
                results.append(Result(step_run, message, failure=failure))
                continue
            broken_in_a_row = 0
            results.append(Result(step_run, message, provider_id=provider_id))
        return sent

    def release(self, staged: Staged) -> None:
        """Put the staged steps back in the queue without sending (the worker is stopping)."""
        with transaction.atomic():
            outbox.uncount_attempts([message.pk for _, message, *_ in staged.ready])
            self._release([sr for sr, *_ in staged.ready] + [sr for sr, _ in staged.settled])

    def _release(self, step_runs: list[StepRun]) -> None:
        """Give steps this claim holds back to the queue, due as before: their messages stay
        pending (with no attempt counted for this claim) and the next claim sends them."""
        if step_runs:
            StepRun.objects.filter(
                id__in=[sr.pk for sr in step_runs],
                claim_token=self.claim.token,
                state=StepRun.State.RUNNING,
            ).update(state=StepRun.State.PENDING, claimed_until=None, updated_at=timezone.now())

    def record(self, sent: Sent) -> None:
        untried = [r.message.pk for r in sent.results if not r.tried]
        with transaction.atomic():
            outbox.uncount_attempts([message.pk for _, message in sent.stopped] + untried)
            self._release([step_run for step_run, _ in sent.stopped])
        self._record(sent.results, sent.settled)

    def _record(self, results: list[Result], settled: list[tuple[StepRun, Message]]) -> None:
        """Record the batch in one transaction; only steps still claimed with this claim's
        token are closed or advanced (a message that went out is marked sent regardless)."""
        if not results and not settled:
            return
        now = timezone.now()
        token = self.claim.token
        with transaction.atomic():
            held = outbox.held(token, [r.step_run.pk for r in results] + [s.pk for s, _ in settled])
            changed: list[Message] = []
            events = []
            done: list[StepRun] = []
            retry: list[StepRun] = []
            gave_up: list[tuple[StepRun, str]] = []
            ended: list[StepRun] = []
            bounced: list[Message] = []
            for result in results:
                step_run, message, failure = result.step_run, result.message, result.failure
                if result.late:
                    if step_run.pk in held:
                        _set(message, state=Message.State.CANCELLED, last_error=TOO_LATE)
                        changed.append(message)
                        ended.append(step_run)
                    continue
                if failure is None:
                    _set(
                        message,
                        state=Message.State.SENT,
                        provider_id=result.provider_id[:200],
                        sent_at=now,
                        last_error="",
                        failure_class="",
                        next_attempt_at=None,
                    )
                    changed.append(message)
                    events.append(_event(message, types.MESSAGE_SENT, now))
                    if step_run.pk in held:
                        done.append(step_run)
                    continue
                if step_run.pk not in held:
                    continue
                attempts = step_run.attempts + 1
                if failure.kind == channels.TEMPORARY and attempts < MAX_ATTEMPTS:
                    retry_at = now + backoff(attempts)
                    _set(
                        message,
                        state=Message.State.RETRYING,
                        last_error=failure.reply,
                        failure_class=failure.kind,
                        next_attempt_at=retry_at,
                    )
                    _set(
                        step_run,
                        state=StepRun.State.PENDING,
                        attempts=attempts,
                        last_error=failure.reply,
                        due_at=retry_at,
                        claimed_until=None,
                    )
                    retry.append(step_run)
                    logger.info(
                        "message %s to %s refused for now (attempt %d), next try at %s: %s",
                        message.pk,
                        message.recipient,
                        message.send_attempts,
                        retry_at.isoformat(timespec="seconds"),
                        failure.reply,
                    )
                else:
                    _set(
                        message,
                        state=(
                            Message.State.BOUNCED
                            if failure.kind == channels.BOUNCE
                            else Message.State.FAILED
                        ),
                        last_error=failure.reply,
                        failure_class=failure.kind,
                        next_attempt_at=None,
                        failed_at=now,
                    )
                    if failure.kind == channels.BOUNCE:
                        message.bounced_at = now
                        bounced.append(message)
                    gave_up.append((step_run, failure.reply))
                    events.append(_event(message, types.MESSAGE_FAILED, now, failure))
                    logger.warning(
                        "gave up message %s to %s after %d attempt(s) (%s): %s",
                        message.pk,
                        message.recipient,
                        message.send_attempts,
                        failure.kind,
                        failure.reply,
                    )
                changed.append(message)
            cancelled: list[StepRun] = []
            for step_run, message in settled:
                if step_run.pk not in held:
                    continue
                if message.state == Message.State.FAILED:
                    gave_up.append((step_run, message.last_error))
                elif message.state == Message.State.CANCELLED:
                    cancelled.append(step_run)
                else:
                    done.append(step_run)
            _save_results(changed, now)
            if retry:
                for step_run in retry:
                    step_run.updated_at = now
                StepRun.objects.bulk_update(retry, RETRY_FIELDS)
            _close(done, StepRun.State.DONE, now)
            for step_run, reply in gave_up:
                _close([step_run], StepRun.State.FAILED, now, error=reply)
            _close(cancelled, StepRun.State.CANCELLED, now, reason="message cancelled")
            _close(ended, StepRun.State.SKIPPED, now, reason=TOO_LATE)
            for step_run in ended:
                exit_run(step_run.run, reason=TOO_LATE, now=now)
            advance_many(
                [(sr, None) for sr in done + cancelled] + [(sr, None) for sr, _ in gave_up],
                now=now,
                lookups=self.lookups,
            )
            if events:
                record_events(events)
            for message in bounced:
                _suppress_bounce(message)


def _save_results(messages: list[Message], now: datetime) -> None:
    """Write the batch's outcomes: the sent ones in one update (their provider ids in a CASE),
    the rare refusals and cancellations row by row."""
    sent = [m for m in messages if m.state == Message.State.SENT]
    if sent:
        Message.objects.filter(id__in=[m.pk for m in sent]).update(
            state=Message.State.SENT,
            sent_at=now,
            last_error="",
            failure_class="",
            next_attempt_at=None,
            updated_at=now,
            provider_id=Case(
                *[When(pk=m.pk, then=Value(m.provider_id)) for m in sent],
                output_field=CharField(),
            ),
        )
    others = [m for m in messages if m.state != Message.State.SENT]
    if others:
        for message in others:
            message.updated_at = now
        Message.objects.bulk_update(others, MESSAGE_RESULT_FIELDS)


MESSAGE_RESULT_FIELDS = [
    "state",
    "provider_id",
    "sent_at",
    "last_error",
    "failure_class",
    "next_attempt_at",
    "failed_at",
    "bounced_at",
    "updated_at",
]
RETRY_FIELDS = ["state", "attempts", "last_error", "due_at", "claimed_until", "updated_at"]


def _set(obj, **fields) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)


def _close(
    step_runs: list[StepRun], state: str, now: datetime, *, reason: str = "", error=None
) -> None:
    if not step_runs:
        return
    fields = {"state": state, "skip_reason": reason[:200], "finished_at": now}
    if error is not None:
        fields["last_error"] = error
    StepRun.objects.filter(id__in=[sr.pk for sr in step_runs]).update(
        **fields, claimed_until=None, updated_at=now
    )


def _event(message: Message, type: str, now: datetime, failure=None) -> dict:
    payload = {
        "flow": message.run.flow.name,
        "channel": message.channel,
        "subject": message.subject,
        "kind": message.kind,
    }
    if failure is not None:
        payload.update(failure=failure.kind, reason=failure.reply[:300])
    return event_row(
        message.shop_id,
        type,
        "message",
        message.pk,
        customer_id=message.customer_id,
        payload=payload,
        occurred_at=now,
    )


def _suppress_bounce(message: Message) -> None:
    """A hard bounce at RCPT TO suppresses the address, as a provider's bounce webhook does."""
    from aftersale.flows.services import suppress

    suppress(
        message.run.shop,
        channel=message.channel,
        address=message.recipient,
        reason=Suppression.Reason.HARD_BOUNCE,
        message=message,
    )


# --- Advancing runs -------------------------------------------------------------------------


def advance(step_run: StepRun, *, now: datetime, to_position: int | None = None) -> None:
    """Schedule the run's next step, or complete the run after its last one."""
    advance_many([(step_run, to_position)], now=now)


def advance_many(
    items: list[tuple[StepRun, int | None]], *, now: datetime, lookups: Lookups | None = None
) -> None:
    """Schedule the next step of each run (``to_position`` or the one after the step run's),
    or complete the run. Idempotent: a step is scheduled at most once per run (a database
    constraint), so advancing twice from the same step adds nothing; a condition that leads
    back to a step the run has already been through ends the run."""
    if not items:
        return
    lookups = lookups or Lookups()
    completing: list[int] = []
    nexts: list[tuple[StepRun, Step]] = []
    for step_run, to_position in items:
        steps = lookups.steps_of(step_run.run.flow_id)
        if to_position is not None:
            following = [s for s in steps if s.position >= to_position]
        else:
            following = [s for s in steps if s.position > step_run.step.position]
        if following:
            nexts.append((step_run, following[0]))
        else:
            completing.append(step_run.run_id)
    if completing:
        FlowRun.objects.filter(pk__in=completing, state=FlowRun.State.ACTIVE).update(
            state=FlowRun.State.COMPLETED, ended_at=now, updated_at=now
        )
    if not nexts:
        return
    scheduled = {
        (run_id, step_id): pk
        for run_id, step_id, pk in StepRun.objects.filter(
            run_id__in={sr.run_id for sr, _ in nexts}, step_id__in={s.pk for _, s in nexts}
        ).values_list("run_id", "step_id", "id")
    }
    subjects = load_subjects(
        {
            (sr.run.shop_id, sr.run.subject_type, sr.run.subject_id)
            for sr, step in nexts
            if step.wait_anchor
        }
    )
    rows = []
    for step_run, step in nexts:
        run = step_run.run
        earlier = scheduled.get((run.pk, step.pk))
        if earlier is not None:
            if earlier < step_run.pk:
                exit_run(run, reason="a condition led back to a step already run", now=now)
            continue  # already advanced from this step
        subject = subjects.get((run.shop_id, run.subject_type, run.subject_id))
        rows.append(
            StepRun(shop_id=run.shop_id, run=run, step=step, due_at=due_at_for(step, subject, now))
        )
    StepRun.objects.bulk_create(rows, ignore_conflicts=True)
