"""Surveys tests: a shop that sends the survey, parcels received at a frozen START, the real
SMTP server and the worker's passes (tests/flows/conftest.py)."""

from __future__ import annotations

import re

import pytest

from aftersale.delivery.models import ShipmentStatus
from aftersale.flows.models import Flow
from aftersale.surveys.services import save_survey_settings
from aftersale.timeline import types
from aftersale.timeline.services import record_event
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, ShipmentFactory
from tests.flows.conftest import START, clock, smtp, worker_pass  # noqa: F401

__all__ = ["START", "worker_pass"]


@pytest.fixture
def shop(shop_a):
    return shop_a.shop


def turn_on(shop, **fields):
    values = {
        "enabled": True,
        "delay_days": 2,
        "scale": "csat",
        "low_score_tickets": False,
        "low_score": None,
    }
    values.update(fields)
    return save_survey_settings(shop, **values)


def only_surveys_on(shop) -> None:
    """The survey flows on, every other built-in flow off (their mails would only add noise)."""
    Flow.objects.for_shop(shop).exclude(key__startswith="satisfaction_survey").update(enabled=False)


def received_parcel(
    shop,
    *,
    pickup_point=None,
    language="fi",
    number=None,
    customer=None,
    event_at=None,
    **line_fields,
):
    """A parcel the customer has just received: picked up from ``pickup_point`` or, without
    one, delivered home; the timeline event is recorded as the carrier's update would."""
    customer = customer or CustomerFactory(
        shop=shop, language=language, marketing_consent=True, first_name="Aino"
    )
    order_fields = {"number": number} if number else {}
    order = OrderFactory(shop=shop, customer=customer, **order_fields)
    OrderLineFactory(order=order, **line_fields)
    status = ShipmentStatus.PICKED_UP if pickup_point else ShipmentStatus.DELIVERED
    shipment = ShipmentFactory(
        order=order, status=status, pickup_point=pickup_point, received_at=event_at or START
    )
    record_event(
        shop,
        types.SHIPMENT_PICKED_UP if pickup_point else types.SHIPMENT_DELIVERED,
        subject=shipment,
        customer=customer,
        occurred_at=event_at,
    )
    return shipment


LINK = re.compile(r"^(\d+): (https?://\S+)$", re.MULTILINE)


def score_links(mail) -> dict[int, str]:
    """The survey mail's score links by score, as paths the test client can open."""
    return {
        int(score): url.removeprefix("https://aftersale.example")
        for score, url in LINK.findall(mail.text)
    }
