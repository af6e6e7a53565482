"""Erasure cancels everything queued for the customer — flow steps, messages waiting for a
retry, unsent withdrawal acknowledgements — and records what it cancelled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersale.flows.models import Message, StepRun
from aftersale.privacy.models import AuditAction, AuditEntry, Erasure
from aftersale.privacy.services import erase_customer
from aftersale.returns.models import Withdrawal
from aftersale.returns.withdrawals import (
    MAX_ACKNOWLEDGEMENT_ATTEMPTS,
    resend_unsent_acknowledgements,
    send_acknowledgement,
)
from tests.flows.conftest import worker_pass


def a_message_waiting_for_a_retry(customer) -> Message:
    message = Message.objects.filter(customer=customer, state=Message.State.SENT).first()
    message.state = Message.State.RETRYING
    message.next_attempt_at = timezone.now() + timedelta(minutes=5)
    message.save()
    return message


def test_an_unsent_withdrawal_acknowledgement_is_never_retried(rich_customer, shop_a, smtp):
    shop = shop_a.shop
    withdrawal = Withdrawal.objects.get(customer=rich_customer.customer)
    assert withdrawal.acknowledged_at is None  # the customer's mail server refused it
    sent_before = len(smtp)

    erasure = erase_customer(shop, rich_customer.customer)

    assert erasure.counts["cancelled withdrawal acknowledgements"] == 1
    assert resend_unsent_acknowledgements() == 0
    assert send_acknowledgement(shop, withdrawal.pk) is False
    withdrawal.refresh_from_db()
    assert withdrawal.acknowledgement_attempts == MAX_ACKNOWLEDGEMENT_ATTEMPTS
    assert withdrawal.acknowledgement_error == "Not sent: the customer's personal data was erased."
    assert len(smtp) == sent_before


def test_queued_messages_and_waiting_steps_are_cancelled_and_recorded(
    rich_customer, shop_a, smtp, clock
):
    shop = shop_a.shop
    a_message_waiting_for_a_retry(rich_customer.customer)
    sent_before = len(smtp)

    erasure = erase_customer(shop, rich_customer.customer, actor=shop_a.owner)

    assert erasure.counts["cancelled messages"] == 1
    assert erasure.counts["cancelled flow runs"] >= 1
    entry = AuditEntry.objects.get(action=AuditAction.CUSTOMER_ERASED)
    assert "cancelled messages: 1" in entry.detail
    clock.shift(timedelta(days=8))
    worker_pass()
    resend_unsent_acknowledgements()
    assert len(smtp) == sent_before


def test_an_interrupted_erasure_already_stopped_every_message(
    rich_customer, shop_a, smtp, clock, monkeypatch
):
    """The first transaction cancels and blanks the addresses: a crash after it leaves nothing
    that could still reach the customer, and the second run records what the first cancelled."""
    from aftersale.privacy import services

    shop = shop_a.shop
    customer = rich_customer.customer
    a_message_waiting_for_a_retry(customer)
    sent_before = len(smtp)

    def crash(declaration, customer):
        raise RuntimeError("the machine went down")

    with monkeypatch.context() as patch:
        patch.setattr(services, "_apply", crash)
        with pytest.raises(RuntimeError):
            erase_customer(shop, customer)

    assert Erasure.objects.get().state == Erasure.State.RUNNING
    assert not StepRun.objects.filter(state=StepRun.State.PENDING).exists()
    assert not Message.objects.filter(state=Message.State.RETRYING).exists()
    clock.shift(timedelta(days=8))
    worker_pass()
    resend_unsent_acknowledgements()
    assert len(smtp) == sent_before

    erasure = erase_customer(shop, customer)
    assert erasure.state == Erasure.State.DONE
    assert erasure.counts["cancelled messages"] == 1
    assert erasure.counts["cancelled withdrawal acknowledgements"] == 1
