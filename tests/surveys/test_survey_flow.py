"""The satisfaction survey goes out a set time after the customer actually got the parcel:
delivered home, or picked up from a pickup point or locker; never for imported history."""

from __future__ import annotations

from datetime import timedelta

from aftersale.delivery.models import ShipmentStatus
from aftersale.flows.models import Flow, Message, Step
from aftersale.surveys.services import save_survey_settings
from aftersale.timeline import types
from aftersale.timeline.services import record_event
from tests.factories import CustomerFactory, PickupPointFactory, ShipmentFactory
from tests.surveys.conftest import (
    START,
    only_surveys_on,
    received_parcel,
    score_links,
    turn_on,
    worker_pass,
)


def test_the_survey_flows_are_installed_off_with_a_two_day_wait(shop):
    flows = Flow.objects.for_shop(shop).filter(key__startswith="satisfaction_survey")
    assert {(flow.key, flow.enabled, flow.kind) for flow in flows} == {
        ("satisfaction_survey_delivered", False, "marketing"),
        ("satisfaction_survey_picked_up", False, "marketing"),
    }
    waits = Step.objects.filter(flow__in=flows, type=Step.Type.WAIT).values_list("wait", flat=True)
    assert list(waits) == [timedelta(days=2), timedelta(days=2)]


def test_it_asks_two_days_after_home_delivery(shop, smtp, clock):
    turn_on(shop)
    only_surveys_on(shop)
    shipment = received_parcel(shop, number="10042")
    worker_pass()
    clock.shift(timedelta(days=2) - timedelta(minutes=1))
    worker_pass()
    assert len(smtp) == 0

    clock.shift(timedelta(minutes=1))
    worker_pass()
    [mail] = smtp.to(shipment.order.customer.email)
    assert mail.subject == "Miten onnistuimme? Tilaus 10042"
    assert "Kuinka tyytyväinen olet tilaukseesi?" in mail.text
    assert sorted(score_links(mail)) == [1, 2, 3, 4, 5]


def test_a_pickup_parcel_is_timed_from_its_pickup_not_from_arrival(shop, smtp, clock):
    """The parcel waited at the point for days; the clock starts when it was picked up."""
    turn_on(shop, delay_days=3)
    only_surveys_on(shop)
    point = PickupPointFactory(shop=shop, name="K-Market Kamppi")
    clock.shift(timedelta(days=4))  # four days at the point before the customer came
    picked_up_at = START + timedelta(days=4)
    shipment = received_parcel(shop, pickup_point=point, event_at=picked_up_at, language="sv")
    worker_pass()
    clock.shift(timedelta(days=3) - timedelta(minutes=1))
    worker_pass()
    assert len(smtp) == 0

    clock.shift(timedelta(minutes=1))
    worker_pass()
    [mail] = smtp.to(shipment.order.customer.email)
    assert mail.subject.startswith("Hur lyckades vi?")
    message = Message.objects.get(customer=shipment.order.customer)
    assert message.run.flow.key == "satisfaction_survey_picked_up"
    assert message.sent_at == picked_up_at + timedelta(days=3)


def test_the_delay_is_set_for_both_flows_on_the_surveys_settings(shop):
    save_survey_settings(
        shop, enabled=True, delay_days=5, scale="nps", low_score_tickets=False, low_score=None
    )
    flows = Flow.objects.for_shop(shop).filter(key__startswith="satisfaction_survey")
    assert all(flow.enabled for flow in flows)
    waits = Step.objects.filter(flow__in=flows, type=Step.Type.WAIT).values_list("wait", flat=True)
    assert list(waits) == [timedelta(days=5), timedelta(days=5)]


def test_an_nps_shop_asks_zero_to_ten(shop, smtp, clock):
    turn_on(shop, scale="nps")
    only_surveys_on(shop)
    shipment = received_parcel(shop, language="en")
    worker_pass()
    clock.shift(timedelta(days=2))
    worker_pass()
    [mail] = smtp.to(shipment.order.customer.email)
    assert "How likely are you to recommend us to a friend?" in mail.text
    assert sorted(score_links(mail)) == list(range(11))


def test_imported_history_is_never_asked(shop, smtp, clock):
    """A parcel received ten days ago, imported now, is older than the flows' lag."""
    turn_on(shop)
    only_surveys_on(shop)
    received_parcel(shop, event_at=START - timedelta(days=10))
    worker_pass()
    clock.shift(timedelta(days=2))
    worker_pass()
    assert len(smtp) == 0


def test_an_order_is_asked_once_even_if_two_parcels_arrive(shop, smtp, clock):
    turn_on(shop)
    only_surveys_on(shop)
    first = received_parcel(shop)
    second_point = PickupPointFactory(shop=shop)
    second = ShipmentFactory(
        order=first.order, status=ShipmentStatus.PICKED_UP, pickup_point=second_point
    )
    record_event(shop, types.SHIPMENT_PICKED_UP, subject=second, customer=first.order.customer)
    worker_pass()
    clock.shift(timedelta(days=2))
    worker_pass()
    assert len(smtp.to(first.order.customer.email)) == 1


def test_a_customer_without_marketing_consent_is_not_asked(shop, smtp, clock):
    turn_on(shop)
    only_surveys_on(shop)
    customer = CustomerFactory(shop=shop, marketing_consent=False)
    received_parcel(shop, customer=customer)
    worker_pass()
    clock.shift(timedelta(days=2))
    worker_pass()
    assert len(smtp) == 0
