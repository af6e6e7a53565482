"""A shop subscribed to ``survey.answered`` receives each answer (and each change of it),
without the comment: the API gives the comment to those who fetch it."""

from __future__ import annotations

import json

import pytest

from aftersale.service.models import Ticket
from aftersale.webhooks.delivery import queue_new_events, send_due_deliveries
from aftersale.webhooks.services import add_webhook_endpoint
from tests.surveys.conftest import turn_on
from tests.surveys.helpers import answer
from tests.webhooks.test_delivery import Receiver, settle


@pytest.fixture
def hook(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    receiver = Receiver([])
    yield receiver
    receiver.close()


def test_an_answer_reaches_the_shops_webhook(shop_a, shop_b, hook):
    shop = shop_a.shop
    turn_on(shop, low_score_tickets=True)
    add_webhook_endpoint(shop, url=hook.url, event_types=["survey.answered"])
    given = answer(shop, score=1, comment="Broken zip", about="product")
    answer(shop_b.shop, score=5)  # another shop's answer goes to no endpoint of this shop
    assert queue_new_events(now=settle()) == 1
    assert send_due_deliveries(now=settle()) == 1
    [(headers, body)] = hook.requests
    message = json.loads(body)
    assert headers["Aftersale-Event"] == "survey.answered"
    assert message["subject"] == {"type": "surveyanswer", "id": given.pk}
    assert message["customer_external_id"] == given.customer.external_id
    ticket = Ticket.objects.get()
    assert message["data"] == {
        "answer_id": given.pk,
        "scale": "csat",
        "score": 1,
        "about": "product",
        "has_comment": True,
        "changed": False,
        "order_id": given.order_id,
        "shipment_id": given.shipment_id,
        "ticket_number": ticket.number,
    }
    assert "Broken zip" not in body.decode()
