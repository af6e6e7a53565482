"""What the worker does with each SMTP reply, per recipient, against a real SMTP server:
4xx anywhere is retried with backoff, 5xx is given up at once with the reply recorded, and a
hard bounce at RCPT TO suppresses the address."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from aftersale.flows import selectors
from aftersale.flows.models import Message, StepRun, Suppression
from aftersale.flows.services import set_flow_enabled
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.factories import CustomerFactory
from tests.flows.conftest import worker_pass
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins


@pytest.fixture
def shop(shop_a):
    turn_off_builtins(shop_a.shop)
    marketing_flow(shop_a.shop, wait=None)
    return shop_a.shop


def orders(shop, count: int) -> list[str]:
    """``count`` orders by consenting customers; returns their addresses."""
    return [
        place_order(shop, CustomerFactory(shop=shop, marketing_consent=True)).customer.email
        for _ in range(count)
    ]


def test_it_delivers_every_greylisted_message_on_the_next_attempt(shop, smtp, clock):
    smtp.greylist = True
    addresses = orders(shop, 100)
    worker_pass()
    assert len(smtp) == 0
    assert Message.objects.filter(state=Message.State.RETRYING).count() == 100
    message = Message.objects.first()
    assert message.failure_class == Message.FailureClass.TEMPORARY
    assert message.last_error.startswith("RCPT TO: 451 4.7.1 Greylisted")
    step_run = StepRun.objects.get(step__type="email", run=message.run)
    assert message.next_attempt_at == step_run.due_at
    assert selectors.flow_metrics(shop)[message.run.flow_id].retrying == 100

    clock.shift(timedelta(seconds=61))  # the first backoff is a minute
    worker_pass()
    assert sorted(r for m in smtp.messages for r in m.rcpt_tos) == sorted(addresses)
    assert Message.objects.filter(state=Message.State.SENT, send_attempts=2).count() == 100


@pytest.mark.parametrize(
    ("stage", "reply"),
    [("rcpt", "451 4.3.0 Mailbox temporarily unavailable"), ("data", "451 Try again later")],
)
def test_it_retries_a_4xx_with_backoff_and_logs_it_at_info(shop, smtp, clock, caplog, stage, reply):
    (address,) = orders(shop, 1)
    replies = smtp.rcpt_replies if stage == "rcpt" else smtp.data_replies
    replies[address] = reply
    with caplog.at_level(logging.INFO, logger="aftersale.flows"):
        worker_pass()
    message = Message.objects.get()
    assert message.state == Message.State.RETRYING and reply in message.last_error
    logged = [r for r in caplog.records if r.name == "aftersale.flows"]
    assert [r.levelname for r in logged] == ["INFO"]
    assert logged[0].exc_info is None and reply in logged[0].getMessage()

    clock.shift(timedelta(seconds=30))
    worker_pass()
    assert Message.objects.get().send_attempts == 1  # still backing off

    del replies[address]
    clock.shift(timedelta(seconds=31))
    worker_pass()
    assert [m.rcpt_tos for m in smtp.messages] == [[address]]
    message.refresh_from_db()
    assert message.state == Message.State.SENT and message.send_attempts == 2
    assert message.last_error == "" and message.next_attempt_at is None


@pytest.mark.parametrize(
    ("stage", "reply"),
    [
        ("rcpt", "554 5.7.1 Relay access denied"),
        ("data", "554 5.6.0 Message content rejected"),
        ("data", "550 5.7.1 Spam detected"),
    ],
)
def test_it_gives_up_a_5xx_at_once_and_records_the_reply(shop, smtp, clock, caplog, stage, reply):
    (address,) = orders(shop, 1)
    (smtp.rcpt_replies if stage == "rcpt" else smtp.data_replies)[address] = reply
    with caplog.at_level(logging.INFO, logger="aftersale.flows"):
        worker_pass()
        for _ in range(3):
            clock.shift(timedelta(hours=1))
            worker_pass()
    message = Message.objects.get()
    assert message.state == Message.State.FAILED
    assert message.failure_class == Message.FailureClass.PERMANENT
    assert reply in message.last_error and message.failed_at is not None
    assert message.send_attempts == 1 and len(smtp) == 0
    assert StepRun.objects.get(step__type="email").state == StepRun.State.FAILED
    assert not Suppression.objects.exists()  # a refusal of this message, not of the address
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and reply in warnings[0].getMessage()
    assert warnings[0].exc_info is None
    event = Event.objects.get(type=types.MESSAGE_FAILED)
    assert event.customer_id == message.customer_id and reply in event.payload["reason"]
    assert selectors.flow_metrics(shop)[message.run.flow_id].failed == 1


@pytest.mark.parametrize(
    "reply",
    ["550 5.1.1 <x@example.fi>: Recipient address rejected: User unknown", "550 No such user"],
)
def test_a_hard_bounce_at_rcpt_suppresses_the_address(shop, smtp, clock, reply):
    customer = CustomerFactory(shop=shop, marketing_consent=True)
    smtp.rcpt_replies[customer.email] = reply
    place_order(shop, customer)
    worker_pass()
    message = Message.objects.get()
    assert message.state == Message.State.BOUNCED
    assert message.failure_class == Message.FailureClass.BOUNCE and reply in message.last_error
    assert Suppression.objects.filter(
        address=customer.email.lower(), reason=Suppression.Reason.HARD_BOUNCE
    ).exists()

    del smtp.rcpt_replies[customer.email]
    clock.shift(timedelta(days=1))
    place_order(shop, customer)
    worker_pass()
    assert len(smtp) == 0  # a bounced address gets nothing more
    assert StepRun.objects.filter(skip_reason="suppressed: hard_bounce").count() == 1


def test_it_retries_while_the_server_refuses_connections(shop, smtp, clock):
    (address,) = orders(shop, 1)
    smtp.refuse_connections()
    worker_pass()
    message = Message.objects.get()
    assert message.state == Message.State.RETRYING
    assert "ConnectionRefusedError" in message.last_error

    smtp.accept_connections()
    clock.shift(timedelta(seconds=61))
    worker_pass()
    assert [m.rcpt_tos for m in smtp.messages] == [[address]]


def test_it_sends_a_batch_over_one_connection(shop, smtp, clock):
    orders(shop, 12)
    worker_pass()
    assert len(smtp) == 12
    assert len({m.peer for m in smtp.messages}) == 1


def test_it_reopens_the_connection_after_the_server_drops_it(shop, smtp, clock):
    first, second, third = orders(shop, 3)
    smtp.rcpt_replies[second] = "421 4.4.2 Closing connection"
    worker_pass()
    assert [m.rcpt_tos for m in smtp.messages] == [[first], [third]]
    assert Message.objects.get(recipient=second).state == Message.State.RETRYING


def test_a_retrying_message_is_cancelled_when_its_run_ends(shop, smtp, clock):
    (address,) = orders(shop, 1)
    smtp.rcpt_replies[address] = "451 4.7.1 Greylisted"
    worker_pass()
    message = Message.objects.get()
    assert message.state == Message.State.RETRYING

    set_flow_enabled(shop, message.run.flow, False)
    del smtp.rcpt_replies[address]
    clock.shift(timedelta(minutes=5))
    worker_pass()
    message.refresh_from_db()
    assert message.state == Message.State.CANCELLED and message.next_attempt_at is None
    assert len(smtp) == 0


def test_it_gives_up_after_eight_temporary_refusals(shop, smtp, clock, caplog):
    (address,) = orders(shop, 1)
    smtp.rcpt_replies[address] = "452 4.2.2 Mailbox full"
    with caplog.at_level(logging.INFO, logger="aftersale.flows"):
        for _ in range(10):
            worker_pass()
            clock.shift(timedelta(hours=6))
    message = Message.objects.get()
    assert message.state == Message.State.FAILED and message.send_attempts == 8
    assert message.failure_class == Message.FailureClass.TEMPORARY
    assert "452 4.2.2 Mailbox full" in message.last_error
    levels = [r.levelname for r in caplog.records if r.name == "aftersale.flows"]
    assert levels == ["INFO"] * 7 + ["WARNING"]
