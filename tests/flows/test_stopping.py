"""A stopping worker (SIGTERM, Ctrl-C) ends its pass of due steps within one message: the
message on the wire is finished and recorded, the batch's other messages and the next batch
(already prepared while the first was sent) go back to the queue, and the next start sends
each of them once."""

from __future__ import annotations

import threading

import pytest

from aftersale.core.models import JobRun
from aftersale.core.worker import Stopped, clear_stop, registered_jobs, request_stop, run_job
from aftersale.flows.models import Kind, Message, StepRun
from aftersale.flows.scheduler import run_due_steps
from aftersale.flows.triggers import process_events
from tests.factories import CustomerFactory
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture(autouse=True)
def stop_flag():
    clear_stop()
    yield
    clear_stop()


@pytest.fixture
def due(shop_a):
    """Fifteen due transactional e-mails."""
    shop = shop_a.shop
    turn_off_builtins(shop)
    marketing_flow(shop, wait=None, kind=Kind.TRANSACTIONAL)
    for _ in range(15):
        place_order(shop, CustomerFactory(shop=shop))
    process_events()
    assert StepRun.objects.filter(state=StepRun.State.PENDING).count() == 15
    return shop


def stop_during_the_first_send(smtp) -> threading.Thread:
    """The server holds its reply to the first message; meanwhile the worker is told to stop."""
    smtp.hold()

    def stop() -> None:
        if smtp.arrived.wait(timeout=60):
            request_stop()
        smtp.release()

    thread = threading.Thread(target=stop)
    thread.start()
    return thread


def assert_stopped_after_one_message(smtp) -> None:
    assert len(smtp) == 1
    sent = Message.objects.get(state=Message.State.SENT)
    assert sent.send_attempts == 1
    # Nothing is left claimed: the rest is due again, with no attempt counted.
    assert not StepRun.objects.filter(state=StepRun.State.RUNNING).exists()
    assert StepRun.objects.filter(state=StepRun.State.PENDING).count() == 14
    unsent = Message.objects.exclude(pk=sent.pk)
    # The first batch's four others, and the second batch if it was prepared in the meantime.
    assert unsent.count() in (4, 9)
    assert all(m.state == Message.State.PENDING and m.send_attempts == 0 for m in unsent)


def assert_each_sent_once(smtp) -> None:
    ids = [m.header("Message-ID") for m in smtp.messages]
    assert len(ids) == 15 and len(set(ids)) == 15
    assert Message.objects.filter(state=Message.State.SENT, send_attempts=1).count() == 15
    assert StepRun.objects.filter(state=StepRun.State.DONE).count() == 15


def test_a_stop_ends_the_pass_after_the_message_being_sent(due, smtp):
    stopper = stop_during_the_first_send(smtp)
    with pytest.raises(Stopped):
        run_due_steps(batch=5)
    stopper.join(timeout=60)
    assert_stopped_after_one_message(smtp)

    clear_stop()  # the next start
    assert run_due_steps(batch=5) == 14
    assert_each_sent_once(smtp)


def test_the_workers_job_stops_between_batches_and_is_due_again(due, smtp, monkeypatch):
    monkeypatch.setenv("FLOWS_BATCH_SIZE", "5")
    job = next(j for j in registered_jobs() if j.name == "flows.run_due_steps")
    stopper = stop_during_the_first_send(smtp)
    assert run_job(job)
    stopper.join(timeout=60)
    assert_stopped_after_one_message(smtp)
    # Stopped, not finished: the job is due again at the next start.
    assert JobRun.objects.get(name=job.name).last_finished_at is None

    clear_stop()
    assert run_job(job)
    assert_each_sent_once(smtp)


def test_a_stop_before_the_pass_sends_nothing(due, smtp):
    request_stop()
    with pytest.raises(Stopped):
        run_due_steps(batch=5)
    assert len(smtp) == 0
    assert StepRun.objects.filter(state=StepRun.State.PENDING).count() == 15
