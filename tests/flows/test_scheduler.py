"""The worker: waits that survive restarts, retries with backoff, several workers at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from aftersale.core.worker import registered_jobs, run_job
from aftersale.flows.models import FlowRun, Message, StepRun
from aftersale.flows.scheduler import run_due_steps
from aftersale.flows.triggers import process_events
from tests.factories import CustomerFactory, ShopFactory
from tests.flows.conftest import worker_pass
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins
from tests.smtp import free_port


@pytest.fixture
def shop(shop_a):
    turn_off_builtins(shop_a.shop)
    return shop_a.shop


def restarted_worker_pass() -> None:
    """A pass of a freshly started worker: the registered jobs, with only the database behind
    them (the worker loop's connection recycling is left out: it would end the test's
    transaction)."""
    for job in registered_jobs():
        if job.name.startswith("flows."):
            run_job(job)


def test_it_sends_after_a_7_day_wait_across_a_restart(shop, smtp, clock):
    marketing_flow(shop, wait=timedelta(days=7))
    order = place_order(shop)
    worker_pass()
    assert StepRun.objects.filter(state=StepRun.State.PENDING).count() == 1

    clock.shift(timedelta(days=3))
    restarted_worker_pass()  # a freshly started worker: only the database remembers
    assert len(smtp) == 0

    clock.shift(timedelta(days=3, hours=23))
    restarted_worker_pass()
    assert len(smtp) == 0

    clock.shift(timedelta(hours=1))
    restarted_worker_pass()
    restarted_worker_pass()
    assert [m.rcpt_tos for m in smtp.messages] == [[order.customer.email]]
    assert FlowRun.objects.get().state == FlowRun.State.COMPLETED


def test_it_retries_a_failed_send_with_backoff(shop, smtp, clock, settings):
    marketing_flow(shop, wait=None)
    place_order(shop)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: the send fails
    worker_pass()
    step_run = StepRun.objects.get(step__type="email")
    assert step_run.state == StepRun.State.PENDING
    assert step_run.attempts == 1 and "refused" in step_run.last_error.lower()

    settings.EMAIL_PORT = port
    clock.shift(timedelta(seconds=30))
    worker_pass()
    assert len(smtp) == 0  # backing off

    clock.shift(timedelta(seconds=31))
    worker_pass()
    assert len(smtp) == 1
    assert Message.objects.get().state == Message.State.SENT


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_never_double_sends_with_two_workers_on_postgresql(smtp):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL")
    shop = ShopFactory()
    turn_off_builtins(shop)
    marketing_flow(shop, wait=None)
    for _ in range(40):
        place_order(shop, CustomerFactory(shop=shop, marketing_consent=True))
    process_events()
    assert StepRun.objects.filter(state=StepRun.State.PENDING).count() == 40

    errors = []

    def work():
        try:
            run_due_steps(batch=5)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    ids = [m.header("Message-ID") for m in smtp.messages]
    assert len(ids) == 40 and len(set(ids)) == 40
    assert Message.objects.filter(state=Message.State.SENT, send_attempts=1).count() == 40
    claimers = set(StepRun.objects.values_list("claimed_by", flat=True))
    assert len(claimers) >= 1
