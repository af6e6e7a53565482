"""Step types: a condition split goes down one branch or the other; an anchored wait follows
the parcel's holding deadline when the carrier extends it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersale.delivery.models import ShipmentStatus
from aftersale.flows.models import Flow, FlowRun, Kind, Message, Step, StepRun
from aftersale.flows.services import save_flow
from aftersale.timeline import types
from aftersale.timeline.services import record_event
from tests.factories import CustomerFactory, PickupPointFactory, ShipmentFactory
from tests.flows.conftest import START, worker_pass
from tests.flows.helpers import place_order, turn_off_builtins


@pytest.fixture
def shop(shop_a):
    turn_off_builtins(shop_a.shop)
    return shop_a.shop


def split_flow(shop):
    """Customers who accept marketing get one e-mail, the others another."""
    return save_flow(
        shop,
        None,
        steps=[
            {"type": Step.Type.CONDITION, "condition": "has_marketing_consent", "else_position": 4},
            {"type": Step.Type.EMAIL, "template_key": "order_thanks"},
            {"type": Step.Type.WAIT, "wait": timedelta(days=365)},
            {"type": Step.Type.EMAIL, "template_key": "return_registered"},
        ],
        name="Split",
        kind=Kind.TRANSACTIONAL,
        enabled=True,
        trigger_type=types.ORDER_PLACED,
    )


@pytest.mark.parametrize(
    ("consent", "template"), [(True, "order_thanks"), (False, "return_registered")]
)
def test_it_follows_the_branch_the_condition_chooses(shop, smtp, clock, consent, template):
    split_flow(shop)
    customer = CustomerFactory(shop=shop, marketing_consent=consent)
    place_order(shop, customer)
    worker_pass()
    worker_pass()
    message = Message.objects.get(customer=customer)
    assert message.step.template_key == template
    if not consent:
        assert FlowRun.objects.get().state == FlowRun.State.COMPLETED


def test_it_moves_a_reminder_when_the_holding_period_is_extended(shop, smtp, clock):
    Flow.objects.for_shop(shop).filter(key="pickup_reminder_1d").update(enabled=True)
    customer = CustomerFactory(shop=shop, language="en")
    point = PickupPointFactory(shop=shop)
    shipment = ShipmentFactory(
        order__shop=shop,
        order__customer=customer,
        status=ShipmentStatus.READY_FOR_PICKUP,
        pickup_point=point,
        held_until=START + timedelta(days=5),
    )
    record_event(shop, types.SHIPMENT_READY_FOR_PICKUP, subject=shipment, customer=customer)
    worker_pass()

    clock.shift(timedelta(days=2))
    shipment.held_until = START + timedelta(days=8)  # the carrier keeps it three days longer
    shipment.save()
    clock.shift(timedelta(days=2))
    worker_pass()
    assert len(smtp) == 0
    assert StepRun.objects.get(state=StepRun.State.PENDING).due_at == START + timedelta(days=7)

    clock.shift(timedelta(days=3))
    worker_pass()
    [mail] = smtp.to(customer.email)
    assert mail.subject.startswith("Last reminder")
