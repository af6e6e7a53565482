"""SMS steps go through settings.SMS_BACKEND; the logging backend keeps them for development."""

from __future__ import annotations

import pytest

from aftersale.flows.models import Channel, Kind, Message, Step, StepRun, Template
from aftersale.flows.services import give_consent, save_flow
from aftersale.flows.sms import LoggingBackend
from aftersale.timeline import types
from tests.factories import CustomerFactory
from tests.flows.conftest import worker_pass
from tests.flows.helpers import place_order, turn_off_builtins


@pytest.fixture
def shop(shop_a):
    shop = shop_a.shop
    turn_off_builtins(shop)
    Template.objects.create(
        shop=shop,
        key="sms_hello",
        language="fi",
        name="Hello",
        body="Hei {{ customer_first_name }}!",
    )
    LoggingBackend.outbox.clear()
    return shop


def sms_flow(shop, kind):
    return save_flow(
        shop,
        None,
        steps=[{"type": Step.Type.SMS, "template_key": "sms_hello"}],
        name="SMS",
        kind=kind,
        enabled=True,
        trigger_type=types.ORDER_PLACED,
        holdout_percent=0,
    )


def test_it_sends_a_transactional_sms_through_the_logging_backend(shop, clock):
    sms_flow(shop, Kind.TRANSACTIONAL)
    customer = CustomerFactory(shop=shop, phone="+358401234567", first_name="Aino")
    place_order(shop, customer)
    worker_pass()
    [sms] = LoggingBackend.outbox
    assert sms.to == "+358401234567" and sms.text.strip() == "Hei Aino!"
    message = Message.objects.get()
    assert message.channel == Channel.SMS and message.provider_id == sms.id


def test_it_needs_sms_consent_for_marketing_sms(shop, clock):
    sms_flow(shop, Kind.MARKETING)
    customer = CustomerFactory(shop=shop, phone="+358401234567", marketing_consent=True)
    place_order(shop, customer)
    worker_pass()
    assert LoggingBackend.outbox == []
    assert StepRun.objects.get().skip_reason == "no marketing consent"

    give_consent(shop, customer, channel=Channel.SMS, source="checkout")
    place_order(shop, customer)
    worker_pass()
    assert len(LoggingBackend.outbox) == 1
