"""Consent history stays consistent with the customer's consent fields."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from aftersale.flows.models import Consent, FlowRun
from aftersale.flows.services import give_consent, withdraw_consent
from aftersale.orders.models import Customer
from aftersale.timeline import types
from aftersale.timeline.models import Event
from aftersale.timeline.services import record_event
from tests.factories import CustomerFactory
from tests.flows.conftest import worker_pass
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins


def test_it_records_consent_on_the_customer_and_in_the_history(shop_a, clock):
    shop = shop_a.shop
    customer = CustomerFactory(shop=shop, marketing_consent=False)
    give_consent(shop, customer, source="portal", wording_version="2026-11")

    customer.refresh_from_db()
    assert customer.marketing_consent is True
    assert customer.consent_source == "portal"
    assert customer.consent_wording_version == "2026-11"
    consent = Consent.objects.get(customer=customer)
    assert consent.granted and consent.at == customer.consent_at
    event = Event.objects.get(customer=customer, type=types.CUSTOMER_CONSENT_CHANGED)
    assert event.payload["granted"] is True and event.payload["source"] == "portal"


def test_it_ends_waiting_marketing_when_consent_is_withdrawn(shop_a, smtp, clock):
    shop = shop_a.shop
    turn_off_builtins(shop)
    marketing_flow(shop, wait=timedelta(days=2))
    order = place_order(shop)
    worker_pass()

    withdraw_consent(shop, order.customer, source="customer service")
    order.customer.refresh_from_db()
    assert order.customer.marketing_consent is False
    assert FlowRun.objects.get().state == FlowRun.State.EXITED
    clock.shift(timedelta(days=3))
    worker_pass()
    assert len(smtp) == 0
    assert [c.granted for c in Consent.objects.filter(customer=order.customer)] == [False]


def test_it_mirrors_consent_given_and_withdrawn_at_ingest_into_the_history(shop_a, smtp, clock):
    shop = shop_a.shop
    turn_off_builtins(shop)
    marketing_flow(shop, wait=timedelta(days=2))
    customer = CustomerFactory(
        shop=shop, marketing_consent=True, consent_source="checkout", consent_at=timezone.now()
    )
    record_event(shop, types.CUSTOMER_CREATED, subject=customer, customer=customer)
    place_order(shop, customer)
    worker_pass()
    [given] = Consent.objects.filter(customer=customer)
    assert given.granted is True and given.source == "checkout"

    Customer.objects.filter(pk=customer.pk).update(marketing_consent=False, consent_source="api")
    record_event(shop, types.CUSTOMER_CONSENT_CHANGED, subject=customer, customer=customer)
    worker_pass()
    assert [c.granted for c in Consent.objects.filter(customer=customer)] == [False, True]
    assert FlowRun.objects.get().state == FlowRun.State.EXITED
    worker_pass()
    assert Consent.objects.filter(customer=customer).count() == 2
