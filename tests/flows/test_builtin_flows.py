"""Every built-in transactional flow, end to end: a timeline event, the worker, the SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersale.delivery.models import ShipmentStatus
from aftersale.flows.models import Flow, Message
from aftersale.flows.services import install_builtin_flows
from aftersale.timeline import types
from aftersale.timeline.models import Event
from aftersale.timeline.services import record_event
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    PickupPointFactory,
    ReturnRequestFactory,
    ShipmentFactory,
)
from tests.flows.conftest import START, worker_pass

HOURS = {
    "mon": [["08:00", "21:00"]],
    "tue": [["08:00", "21:00"]],
    "wed": [["08:00", "21:00"]],
    "thu": [["08:00", "21:00"]],
    "fri": [["08:00", "21:00"]],
    "sat": [["10:00", "18:00"]],
    "sun": [],
}


@pytest.fixture
def shop(shop_a):
    return shop_a.shop


def order_for(shop, language="fi", **fields):
    customer = CustomerFactory(shop=shop, language=language, first_name="Aino")
    order = OrderFactory(shop=shop, customer=customer, number="10042", **fields)
    OrderLineFactory(order=order, name="Merino T-shirt", quantity=2)
    return order


def waiting_parcel(shop, language="fi", held_days=7):
    order = order_for(shop, language)
    point = PickupPointFactory(
        shop=shop, name="K-Market Kamppi", street="Urho Kekkosen katu 1", opening_hours=HOURS
    )
    return ShipmentFactory(
        order=order,
        status=ShipmentStatus.READY_FOR_PICKUP,
        pickup_point=point,
        held_until=START + timedelta(days=held_days),
        ready_at=START,
        tracking_token="tok-123",
    )


def test_it_installs_the_builtin_flows_on_for_a_new_shop(shop):
    keys = set(Flow.objects.for_shop(shop).filter(enabled=True).values_list("key", flat=True))
    assert keys >= {
        "order_thanks",
        "shipped",
        "ready_for_pickup",
        "pickup_reminder_3d",
        "pickup_reminder_1d",
        "return_registered",
        "return_approved",
        "return_received",
        "return_refunded",
    }
    install_builtin_flows(shop)  # again: nothing doubles
    assert Flow.objects.for_shop(shop).filter(key="order_thanks").count() == 1


def test_it_thanks_for_an_order_in_the_customers_language(shop, smtp, clock):
    order = order_for(shop, "sv")
    record_event(shop, types.ORDER_PLACED, subject=order, customer=order.customer)
    worker_pass()

    [mail] = smtp.to(order.customer.email)
    assert mail.subject == "Tack för din beställning 10042"
    assert "Hej Aino," in mail.text
    assert "2 × Merino T-shirt" in mail.text
    assert "55,80\u00a0€" in mail.text
    assert mail.header("List-Unsubscribe") is None  # transactional: no unsubscribe, no promotion
    message = Message.objects.get(customer=order.customer)
    assert message.state == Message.State.SENT and message.language == "sv"
    on_timeline = Event.objects.for_customer(order.customer).get(type=types.MESSAGE_SENT)
    assert on_timeline.payload["subject"] == "Tack för din beställning 10042"


def test_it_sends_a_shipped_notice_with_the_tracking_link(shop, smtp, clock):
    order = order_for(shop, "en")
    shipment = ShipmentFactory(order=order, status=ShipmentStatus.SHIPPED, tracking_token="abc")
    record_event(shop, types.SHIPMENT_SHIPPED, subject=shipment, customer=order.customer)
    worker_pass()

    [mail] = smtp.to(order.customer.email)
    assert mail.subject == "Your order 10042 is on its way"
    assert "https://aftersale.example/t/abc/" in mail.text
    assert shipment.tracking_number in mail.text


def test_it_tells_where_and_until_when_the_parcel_waits(shop, smtp, clock):
    shipment = waiting_parcel(shop, "fi")
    record_event(shop, types.SHIPMENT_READY_FOR_PICKUP, subject=shipment)
    worker_pass()

    [mail] = smtp.to(shipment.order.customer.email)
    assert mail.subject == "Pakettisi odottaa noutoa: K-Market Kamppi"
    assert "Urho Kekkosen katu 1, 00100 Helsinki" in mail.text
    assert (
        "viimeistään 30. marraskuuta 2026 (maanantai)" in mail.text
    )  # held until, in the shop's time zone
    assert "maanantai 08:00–21:00" in mail.text
    assert "sunnuntai suljettu" in mail.text


def test_it_reminds_3_days_and_1_day_before_the_deadline(shop, smtp, clock):
    shipment = waiting_parcel(shop, "en", held_days=7)
    email = shipment.order.customer.email
    record_event(shop, types.SHIPMENT_READY_FOR_PICKUP, subject=shipment)
    worker_pass()
    assert [m.subject for m in smtp.to(email)] == [
        "Your parcel is ready for pickup at K-Market Kamppi"
    ]

    clock.shift(timedelta(days=3, hours=23))
    worker_pass()
    assert len(smtp.to(email)) == 1  # not yet

    clock.shift(timedelta(hours=1))
    worker_pass()
    reminder = smtp.to(email)[-1]
    assert reminder.subject.startswith("Reminder: your parcel is waiting for you until")
    assert "You have 3 days left" in reminder.text

    clock.shift(timedelta(days=2))
    worker_pass()
    last = smtp.to(email)[-1]
    assert last.subject.startswith("Last reminder")
    assert len(smtp.to(email)) == 3


def test_it_cancels_the_reminders_the_moment_the_parcel_is_picked_up(shop, smtp, clock):
    shipment = waiting_parcel(shop, "fi", held_days=7)
    record_event(shop, types.SHIPMENT_READY_FOR_PICKUP, subject=shipment)
    worker_pass()

    clock.shift(timedelta(days=2))
    shipment.status = ShipmentStatus.PICKED_UP
    shipment.save()
    record_event(shop, types.SHIPMENT_PICKED_UP, subject=shipment)
    worker_pass()

    clock.shift(timedelta(days=10))
    worker_pass()
    assert len(smtp.to(shipment.order.customer.email)) == 1  # only the ready-for-pickup notice


def test_it_skips_a_reminder_whose_moment_had_already_passed(shop, smtp, clock):
    shipment = waiting_parcel(shop, "fi", held_days=2)  # 3-day reminder is already too late
    record_event(shop, types.SHIPMENT_READY_FOR_PICKUP, subject=shipment)
    worker_pass()
    assert len(smtp.to(shipment.order.customer.email)) == 1

    clock.shift(timedelta(days=1))
    worker_pass()
    subjects = [m.subject for m in smtp.to(shipment.order.customer.email)]
    assert len(subjects) == 2 and subjects[1].startswith("Viimeinen muistutus")


@pytest.mark.parametrize(
    ("event_type", "language", "subject"),
    [
        (types.RETURN_REQUESTED, "fi", "Palautuksesi {code} on rekisteröity"),
        (types.RETURN_APPROVED, "sv", "Din retur {code} är godkänd"),
        (types.RETURN_RECEIVED, "en", "We have received your return {code}"),
        (types.RETURN_REFUNDED, "fi", "Hyvitys palautuksesta {code} on maksettu"),
    ],
)
def test_it_keeps_the_customer_posted_on_a_return(shop, smtp, clock, event_type, language, subject):
    order = order_for(shop, language)
    request = ReturnRequestFactory(order=order, refund_cents=4990)
    record_event(shop, event_type, subject=request, customer=order.customer)
    worker_pass()

    [mail] = smtp.to(order.customer.email)
    assert mail.subject == subject.format(code=request.code)
    if event_type == types.RETURN_REFUNDED:
        assert "49,90\u00a0€" in mail.text


def test_it_does_not_thank_for_an_order_cancelled_before_the_worker_ran(shop, smtp, clock):
    order = order_for(shop)
    record_event(shop, types.ORDER_PLACED, subject=order, customer=order.customer)
    order.status = order.Status.CANCELLED
    order.save()
    record_event(shop, types.ORDER_CANCELLED, subject=order, customer=order.customer)
    worker_pass()
    assert smtp.to(order.customer.email) == []


def test_it_leaves_out_opening_hours_that_are_not_known(shop, smtp, clock):
    shipment = waiting_parcel(shop, "en")
    shipment.pickup_point.opening_hours = {}
    shipment.pickup_point.save()
    record_event(shop, types.SHIPMENT_READY_FOR_PICKUP, subject=shipment)
    worker_pass()
    [mail] = smtp.to(shipment.order.customer.email)
    assert "Opening hours" not in mail.text and "closed" not in mail.text
