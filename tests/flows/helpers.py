"""Small builders for flows tests: custom flows through the services, and events."""

from __future__ import annotations

from datetime import timedelta

from aftersale.flows.models import Flow, Kind, Step
from aftersale.flows.services import save_flow
from aftersale.timeline import types
from aftersale.timeline.services import record_event
from tests.factories import CustomerFactory, OrderFactory


def marketing_flow(shop, *, key="", wait=timedelta(days=7), template="order_thanks", **fields):
    """A marketing flow started by an order: wait, then send an e-mail."""
    steps = []
    if wait:
        steps.append({"type": Step.Type.WAIT, "wait": wait})
    steps.append({"type": Step.Type.EMAIL, "template_key": template})
    defaults = {
        "key": key,
        "name": fields.pop("name", "Follow-up"),
        "kind": Kind.MARKETING,
        "enabled": True,
        "trigger_type": types.ORDER_PLACED,
        # Tests about other things message everyone; holdout tests set their own share.
        "holdout_percent": 0,
    }
    defaults.update(fields)
    return save_flow(shop, None, steps=steps, **defaults)


def turn_off_builtins(shop) -> None:
    Flow.objects.for_shop(shop).exclude(key="").update(enabled=False)


def place_order(shop, customer=None, **fields):
    customer = customer or CustomerFactory(shop=shop, marketing_consent=True)
    order = OrderFactory(shop=shop, customer=customer, **fields)
    record_event(shop, types.ORDER_PLACED, subject=order, customer=customer)
    return order
