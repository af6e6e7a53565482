"""Timeline events start and end runs; old events start none; the flow filter is re-checked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersale.flows.models import FlowRun, StepRun
from aftersale.flows.triggers import process_events
from aftersale.orders.models import Order
from aftersale.timeline import types
from aftersale.timeline.services import event_row, record_event, record_events
from tests.factories import CustomerFactory, OrderFactory
from tests.flows.conftest import START, worker_pass
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins


@pytest.fixture
def shop(shop_a):
    turn_off_builtins(shop_a.shop)
    return shop_a.shop


def test_it_starts_a_run_for_an_event_recorded_while_no_worker_ran(shop, smtp, clock):
    marketing_flow(shop, wait=timedelta(days=1))
    place_order(shop)  # no subscriber, no worker: only the timeline row exists
    clock.shift(timedelta(hours=5))
    process_events()
    assert FlowRun.objects.count() == 1
    process_events()  # read again: still one run
    clock.shift(timedelta(minutes=1))
    process_events()
    assert FlowRun.objects.count() == 1


def test_it_starts_no_run_for_history_older_than_the_trigger_lag(shop, smtp, clock):
    marketing_flow(shop, wait=None)
    customer = CustomerFactory(shop=shop, marketing_consent=True)
    old = OrderFactory(shop=shop, customer=customer, placed_at=START - timedelta(days=400))
    record_events(
        [
            event_row(
                shop.pk,
                types.ORDER_PLACED,
                "order",
                old.pk,
                customer_id=customer.pk,
                occurred_at=START - timedelta(days=400 - day),
            )
            for day in range(0, 398, 7)
        ],
    )
    worker_pass()
    assert FlowRun.objects.count() == 0
    assert len(smtp) == 0


def test_it_starts_runs_only_for_matching_trigger_filters(shop, smtp, clock):
    marketing_flow(shop, wait=None, trigger_filter={"channel": "web"})
    customer = CustomerFactory(shop=shop, marketing_consent=True)
    order = OrderFactory(shop=shop, customer=customer)
    record_event(
        shop, types.ORDER_PLACED, subject=order, customer=customer, payload={"channel": "pos"}
    )
    record_event(
        shop, types.ORDER_PLACED, subject=order, customer=customer, payload={"channel": "web"}
    )
    process_events()
    assert FlowRun.objects.count() == 1


def test_it_stops_a_win_back_as_soon_as_the_customer_orders(shop, smtp, clock):
    marketing_flow(
        shop, name="Win-back", wait=timedelta(days=60), flow_filter=["no_order_since_start"]
    )
    first = place_order(shop)
    worker_pass()

    clock.shift(timedelta(days=30))
    OrderFactory(shop=shop, customer=first.customer, placed_at=START + timedelta(days=30))
    clock.shift(timedelta(days=31))
    worker_pass()

    win_back = FlowRun.objects.get(trigger_event__subject_id=first.pk, flow__name="Win-back")
    assert win_back.state == FlowRun.State.EXITED
    assert win_back.exit_reason == "flow filter: no_order_since_start"
    assert StepRun.objects.filter(run=win_back, state=StepRun.State.SKIPPED).count() == 1
    assert smtp.to(first.customer.email) == []


def test_it_ends_a_run_when_an_exit_event_about_its_order_arrives(shop, smtp, clock):
    marketing_flow(shop, wait=timedelta(days=3), exit_events=[types.ORDER_CANCELLED])
    order = place_order(shop)
    worker_pass()
    clock.shift(timedelta(days=1))
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    record_event(shop, types.ORDER_CANCELLED, subject=order, customer=order.customer)
    worker_pass()

    run = FlowRun.objects.get()
    assert run.state == FlowRun.State.EXITED and run.exit_reason == types.ORDER_CANCELLED
    assert StepRun.objects.get().state == StepRun.State.CANCELLED
    clock.shift(timedelta(days=5))
    worker_pass()
    assert len(smtp) == 0


def test_it_does_not_start_runs_of_a_flow_that_is_off(shop, smtp, clock):
    marketing_flow(shop, wait=None, enabled=False)
    place_order(shop)
    worker_pass()
    assert FlowRun.objects.count() == 0
