"""The worker: waits that survive restarts, retries with backoff (several workers at once:
test_claims.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersale.core.worker import registered_jobs, run_job
from aftersale.flows.models import FlowRun, Message, StepRun
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
