"""Answers made through the service, for results, API and webhook tests."""

from __future__ import annotations

from django.utils import timezone

from aftersale.flows.models import Flow, FlowRun
from aftersale.surveys.services import record_answer
from tests.factories import OrderLineFactory, ShipmentFactory


def answer(shop, *, score, products=(), carrier="posti", pickup_point=None, comment="", **kw):
    """A customer's answer about an order of ``products`` (Product rows) in a parcel of
    ``carrier``, through the survey flow's run, as the survey page records it."""
    shipment = ShipmentFactory(
        order__shop=shop, carrier=carrier, pickup_point=pickup_point, status="delivered"
    )
    order = shipment.order
    for product in products:
        OrderLineFactory(order=order, variant__product=product)
    flow = Flow.objects.get(shop=shop, key="satisfaction_survey_delivered")
    run = FlowRun.objects.create(
        shop=shop,
        flow=flow,
        customer=order.customer,
        subject_type="shipment",
        subject_id=shipment.pk,
        order=order,
        started_at=timezone.now(),
    )
    return record_answer(
        shop, run, scale=kw.pop("scale", "csat"), score=score, comment=comment, **kw
    )
