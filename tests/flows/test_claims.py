"""Exactly once in normal operation: a step is executed only while its claim is held, a
message is sent only by the claim that holds its step, and advancing a run is idempotent.

The two-worker tests run on PostgreSQL (row locks with SKIP LOCKED); the crash case, where at
most one duplicate per message in flight is allowed, is in test_worker_crash.py.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from aftersale.flows import channels
from aftersale.flows.models import FlowRun, Kind, Message, StepRun
from aftersale.flows.scheduler import Lookups, advance, claim_due, lease, run_batch, run_due_steps
from aftersale.flows.triggers import process_events
from tests.factories import CustomerFactory, ShopFactory
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins


@pytest.fixture
def shop(shop_a):
    turn_off_builtins(shop_a.shop)
    return shop_a.shop


def run(claim) -> None:
    mailer = channels.Mailer()
    try:
        run_batch(claim, mailer=mailer, lookups=Lookups())
    finally:
        mailer.close()


def test_a_worker_whose_claim_was_taken_over_sends_and_writes_nothing(shop, smtp, clock):
    marketing_flow(shop, wait=None)
    place_order(shop)
    process_events()
    stale = claim_due()
    clock.shift(lease() + timedelta(seconds=1))  # its worker froze past the lease
    fresh = claim_due()
    assert [sr.pk for sr in fresh.step_runs] == [sr.pk for sr in stale.step_runs]

    run(stale)  # the frozen worker wakes up
    assert len(smtp) == 0 and not Message.objects.exists()
    assert StepRun.objects.get().state == StepRun.State.RUNNING

    run(fresh)
    run(stale)  # and once more, after the step is done
    assert len(smtp) == 1
    assert Message.objects.get().send_attempts == 1
    assert FlowRun.objects.get().state == FlowRun.State.COMPLETED


def test_advancing_a_run_twice_schedules_its_next_step_once(shop, smtp, clock):
    marketing_flow(shop, wait=timedelta(days=1))
    place_order(shop)
    process_events()
    clock.shift(timedelta(days=1))
    run(claim_due())
    wait = StepRun.objects.get(step__type="wait")
    assert StepRun.objects.count() == 2

    with transaction.atomic():
        advance(wait, now=wait.finished_at)  # e.g. a worker that lost its claim mid-way
    assert StepRun.objects.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        StepRun.objects.create(
            shop=shop,
            run=wait.run,
            step=StepRun.objects.get(step__type="email").step,
            due_at=wait.due_at,
        )


def two_workers(batch: int) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            run_due_steps(batch=batch)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []


def transactional_orders(count: int):
    shop = ShopFactory()
    turn_off_builtins(shop)
    marketing_flow(shop, wait=None, kind=Kind.TRANSACTIONAL)
    for _ in range(count):
        place_order(shop, CustomerFactory(shop=shop))
    process_events()
    assert StepRun.objects.filter(state=StepRun.State.PENDING).count() == count
    return shop


def assert_each_sent_once(smtp, count: int) -> None:
    ids = [m.header("Message-ID") for m in smtp.messages]
    assert len(ids) == count and len(set(ids)) == count
    assert Message.objects.filter(state=Message.State.SENT, send_attempts=1).count() == count
    assert StepRun.objects.count() == count  # one row per run and step


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_message_once(smtp):
    if connection.vendor != "postgresql":
        pytest.skip("two workers at once need PostgreSQL")
    transactional_orders(40)
    two_workers(batch=5)
    assert_each_sent_once(smtp, 40)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_lease_shorter_than_a_batch_sends_no_duplicate(smtp, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("two workers at once need PostgreSQL")
    monkeypatch.setenv("FLOWS_CLAIM_LEASE_SECONDS", "1")
    smtp.delay = 0.05  # a batch of 30 takes 1.5 s: longer than the lease
    transactional_orders(60)
    two_workers(batch=30)
    assert_each_sent_once(smtp, 60)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_server_freeze_longer_than_the_lease_and_the_timeout_sends_no_duplicate(
    smtp, settings, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("two workers at once need PostgreSQL")
    monkeypatch.setenv("FLOWS_CLAIM_LEASE_SECONDS", "1")
    settings.EMAIL_TIMEOUT = 1
    transactional_orders(10)
    smtp.hold()  # the server takes the first message and then says nothing for 3 seconds
    thaw = threading.Timer(3, smtp.release)
    thaw.start()
    try:
        two_workers(batch=5)
    finally:
        thaw.cancel()
        smtp.release()
    assert_each_sent_once(smtp, 10)
