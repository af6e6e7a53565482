"""Marketing steps: consent, one-click unsubscribe headers, quiet hours, frequency cap, pauses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersale.delivery.models import ShipmentStatus
from aftersale.flows.models import Flow, Message, MessagingSettings, StepRun
from aftersale.returns.models import ReturnState
from aftersale.service.services import change_state, open_ticket
from tests.factories import CustomerFactory, ReturnRequestFactory, ShipmentFactory
from tests.flows.conftest import worker_pass
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins


@pytest.fixture
def shop(shop_a):
    turn_off_builtins(shop_a.shop)
    return shop_a.shop


def test_it_skips_marketing_without_consent(shop, smtp, clock):
    marketing_flow(shop, wait=None)
    order = place_order(shop, CustomerFactory(shop=shop, marketing_consent=False))
    worker_pass()
    assert len(smtp) == 0
    step_run = StepRun.objects.get(run__customer=order.customer)
    assert step_run.state == StepRun.State.SKIPPED
    assert step_run.skip_reason == "no marketing consent"


def test_it_carries_one_click_unsubscribe_headers(shop, smtp, clock):
    marketing_flow(shop, wait=None)
    order = place_order(shop)
    worker_pass()
    [mail] = smtp.to(order.customer.email)
    token = Message.objects.get().unsubscribe_token
    assert mail.header("List-Unsubscribe") == f"<https://aftersale.example/u/{token}/>"
    assert mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"


def test_it_defers_marketing_in_quiet_hours_of_the_shops_time_zone(shop, smtp, clock):
    marketing_flow(shop, wait=None)
    clock.move_to(datetime(2026, 11, 23, 20, 30, tzinfo=UTC))  # 22:30 in Helsinki
    place_order(shop)
    worker_pass()
    assert len(smtp) == 0
    step_run = StepRun.objects.get()
    assert step_run.skip_reason == "deferred: quiet hours"
    assert step_run.due_at == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 08:00 in Helsinki

    clock.move_to(datetime(2026, 11, 24, 5, 59, tzinfo=UTC))
    worker_pass()
    assert len(smtp) == 0
    clock.move_to(datetime(2026, 11, 24, 6, 0, tzinfo=UTC))
    worker_pass()
    assert len(smtp) == 1


def test_it_sends_transactional_messages_in_quiet_hours_and_past_the_cap(shop, smtp, clock):
    MessagingSettings.objects.filter(shop=shop).update(frequency_cap=1)
    Flow.objects.for_shop(shop).filter(key="order_thanks").update(enabled=True)
    marketing_flow(shop, wait=None)
    clock.move_to(datetime(2026, 11, 23, 21, 30, tzinfo=UTC))
    customer = CustomerFactory(shop=shop, marketing_consent=True)
    place_order(shop, customer)
    place_order(shop, customer)
    worker_pass()
    assert len(smtp.to(customer.email)) == 2  # two order thanks; marketing waits for morning
    assert Message.objects.filter(kind="marketing").count() == 0


def test_it_defers_the_lower_priority_message_at_the_frequency_cap(shop, smtp, clock):
    MessagingSettings.objects.filter(shop=shop).update(frequency_cap=2, frequency_cap_days=7)
    low = marketing_flow(shop, wait=None, name="Low", priority=0)
    high = marketing_flow(shop, wait=None, name="High", priority=10)
    middle = marketing_flow(shop, wait=None, name="Middle", priority=5)
    order = place_order(shop)
    worker_pass()

    sent = {m.run.flow_id for m in Message.objects.filter(state=Message.State.SENT)}
    assert sent == {high.pk, middle.pk}
    deferred = StepRun.objects.get(run__flow=low, step__type="email")
    assert deferred.state == StepRun.State.PENDING
    assert deferred.skip_reason.startswith("deferred: frequency cap")

    clock.shift(timedelta(days=6))
    worker_pass()
    assert len(smtp.to(order.customer.email)) == 2
    clock.shift(timedelta(days=1, minutes=1))
    worker_pass()
    assert len(smtp.to(order.customer.email)) == 3  # deferred, not dropped
    assert StepRun.objects.get(pk=deferred.pk).state == StepRun.State.DONE


def test_it_pauses_marketing_while_a_return_is_open(shop, smtp, clock):
    marketing_flow(shop, wait=None)
    customer = CustomerFactory(shop=shop, marketing_consent=True)
    request = ReturnRequestFactory(order__shop=shop, order__customer=customer)
    place_order(shop, customer)
    worker_pass()
    assert len(smtp) == 0
    assert StepRun.objects.get().skip_reason == "paused: the customer has an open return"

    request.state = ReturnState.REFUNDED
    request.save()
    clock.shift(timedelta(hours=6))
    worker_pass()
    assert len(smtp) == 1


def test_it_pauses_marketing_while_a_support_ticket_is_open(shop, smtp, clock):
    marketing_flow(shop, wait=None)
    customer = CustomerFactory(shop=shop, marketing_consent=True)
    ticket = open_ticket(
        shop,
        customer=customer,
        email=customer.email,
        name="",
        subject="Broken zip",
        body="The zip broke on day one.",
        topic="product",
        source="portal",
    )
    place_order(shop, customer)
    worker_pass()
    assert len(smtp) == 0
    assert StepRun.objects.get().skip_reason == "paused: the customer has an open support ticket"

    change_state(ticket, "solved", actor=None)
    clock.shift(timedelta(hours=6))
    worker_pass()
    assert len(smtp) == 1


def test_it_pauses_marketing_after_a_failed_delivery(shop, smtp, clock):
    marketing_flow(shop, wait=None)
    customer = CustomerFactory(shop=shop, marketing_consent=True)
    ShipmentFactory(
        order__shop=shop, order__customer=customer, status=ShipmentStatus.DELIVERY_FAILED
    )
    place_order(shop, customer)
    worker_pass()
    assert len(smtp) == 0
    assert StepRun.objects.get().skip_reason == "paused: a delivery to the customer failed"
