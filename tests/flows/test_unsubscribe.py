"""The customer's unsubscribe page: GET asks, POST (one click) unsubscribes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersale.flows.models import Consent, FlowRun, Message, Suppression
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.factories import CustomerFactory
from tests.flows.conftest import worker_pass
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins


@pytest.fixture
def sent(shop_a, smtp, clock):
    """A marketing message sent to a Swedish-speaking customer who has another run waiting."""
    shop = shop_a.shop
    turn_off_builtins(shop)
    marketing_flow(shop, wait=None)
    marketing_flow(shop, name="Later", wait=timedelta(days=5))
    customer = CustomerFactory(shop=shop, marketing_consent=True, language="sv")
    place_order(shop, customer)
    worker_pass()
    return Message.objects.get(customer=customer)


def test_it_asks_for_confirmation_on_get_and_changes_nothing(client, sent):
    response = client.get(f"/u/{sent.unsubscribe_token}/")
    assert response.status_code == 200
    assert "Pohjola Style" in response.content.decode()
    assert response["Content-Language"] == "sv"
    sent.customer.refresh_from_db()
    assert sent.customer.marketing_consent is True
    assert not Suppression.objects.exists()


def test_it_unsubscribes_on_a_one_click_post(client, sent):
    response = client.post(
        f"/u/{sent.unsubscribe_token}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    customer = sent.customer
    customer.refresh_from_db()
    assert customer.marketing_consent is False
    assert customer.consent_source == "unsubscribe link"
    consent = Consent.objects.get(customer=customer)
    assert consent.granted is False and consent.channel == "email"
    assert Suppression.objects.filter(address=customer.email, reason="unsubscribe").exists()
    later = FlowRun.objects.get(flow__name="Later", customer=customer)
    assert later.state == FlowRun.State.EXITED  # its pending marketing step is cancelled
    event_types = set(Event.objects.for_customer(customer).values_list("type", flat=True))
    assert {types.MESSAGE_UNSUBSCRIBED, types.CUSTOMER_CONSENT_CHANGED} <= event_types
    sent.refresh_from_db()
    assert sent.unsubscribed_at is not None


def test_it_treats_a_second_post_as_done(client, sent):
    client.post(f"/u/{sent.unsubscribe_token}/")
    response = client.post(f"/u/{sent.unsubscribe_token}/")
    assert response.status_code == 200
    assert Consent.objects.count() == 1


def test_it_shows_404_for_an_unknown_token(client, db):
    assert client.get("/u/not-a-token/").status_code == 404
    assert client.post("/u/not-a-token/").status_code == 404
