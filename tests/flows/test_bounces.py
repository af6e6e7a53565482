"""Hard bounces and complaints from the e-mail provider (Anymail tracking webhooks) suppress."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from aftersale.flows.models import Flow, FlowRun, Message, StepRun, Suppression
from tests.flows.conftest import worker_pass
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins

AUTH = "Basic " + base64.b64encode(b"hook:s3cret").decode()


@pytest.fixture
def delivered(shop_a, smtp, clock, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    shop = shop_a.shop
    turn_off_builtins(shop)
    Flow.objects.for_shop(shop).filter(key="order_thanks").update(enabled=True)
    marketing_flow(shop, wait=timedelta(days=3))
    order = place_order(shop)
    worker_pass()
    message = Message.objects.get(customer=order.customer)
    Message.objects.filter(pk=message.pk).update(provider_id="pm-0001")
    return message


def postmark(client, payload, auth=AUTH):
    return client.post(
        "/webhooks/anymail/postmark/tracking/",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )


def bounce(email, kind="HardBounce", record="Bounce"):
    return {
        "RecordType": record,
        "Type": kind,
        "TypeCode": 1,
        "MessageID": "pm-0001",
        "Email": email,
        "Description": "The server was unable to deliver your message",
        "BouncedAt": "2026-11-23T10:05:00Z",
    }


def test_it_suppresses_an_address_after_a_hard_bounce(client, delivered, smtp, clock):
    email = delivered.recipient
    assert postmark(client, bounce(email)).status_code == 200

    assert Suppression.objects.filter(address=email, reason="hard_bounce").exists()
    delivered.refresh_from_db()
    assert delivered.state == Message.State.BOUNCED
    marketing = FlowRun.objects.get(flow__kind="marketing")
    assert marketing.state == FlowRun.State.EXITED
    assert StepRun.objects.filter(run=marketing, state=StepRun.State.CANCELLED).exists()

    place_order(delivered.shop, delivered.customer)  # even order thanks is not sent to it now
    clock.shift(timedelta(days=4))
    worker_pass()
    assert len(smtp.to(email)) == 1
    assert StepRun.objects.filter(skip_reason="suppressed: hard_bounce").exists()


def test_it_suppresses_marketing_after_a_spam_complaint(client, delivered):
    payload = bounce(delivered.recipient, kind="SpamComplaint", record="SpamComplaint")
    assert postmark(client, payload).status_code == 200
    assert Suppression.objects.filter(reason="complaint").count() == 1


def test_it_rejects_a_webhook_without_the_shared_secret(client, delivered):
    wrong = "Basic " + base64.b64encode(b"hook:guess").decode()
    assert postmark(client, bounce(delivered.recipient), auth=wrong).status_code in (400, 401, 403)
    assert not Suppression.objects.exists()
