"""A customer with something in every app, with personal data distinctive enough to scan for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile

from aftersale.flows.models import Consent, FlowRun, StepRun
from aftersale.flows.services import give_consent
from aftersale.insights.models import CustomerValue
from aftersale.orders.models import Customer, Order
from aftersale.returns.models import ReturnPhoto, StoreCredit, Withdrawal
from aftersale.service.attachments import Upload
from aftersale.service.services import add_customer_message, open_ticket
from aftersale.timeline import types
from aftersale.timeline.services import record_event
from tests.api.conftest import _fresh_rate_limits, api  # noqa: F401  (fixtures)
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    PaymentFactory,
    RefundFactory,
    ReturnLineFactory,
    ReturnRequestFactory,
    ShipmentFactory,
    TrackingEventFactory,
)
from tests.flows.conftest import worker_pass
from tests.flows.helpers import marketing_flow, turn_off_builtins

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass
class RichCustomer:
    customer: Customer
    orders: list[Order]
    photo: ReturnPhoto

    @property
    def needles(self) -> list[str]:
        """The customer's personal data as it could appear in any column."""
        return [
            "zyxwell.quorn@example.fi",
            "Zyxwell",
            "Quornström",
            "+358 40 765 4321",
            "Qwertinkatu 77 B 12",
        ]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    settings.SITE_URL = "https://aftersale.example"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def make_rich_customer(shop, *, email="zyxwell.quorn@example.fi") -> RichCustomer:
    """Orders, payments, a refund, a parcel with tracking, a return with a photo, a withdrawal,
    store credit, consent, a sent message and a waiting flow step, events and insights."""
    turn_off_builtins(shop)
    marketing_flow(shop, name="Thanks", wait=None)
    marketing_flow(shop, name="Later", wait=timedelta(days=7))
    customer = CustomerFactory(
        shop=shop,
        external_id="crm-zyxwell",
        email=email,
        phone="+358 40 765 4321",
        first_name="Zyxwell",
        last_name="Quornström",
        street="Qwertinkatu 77 B 12",
        language="sv",
    )
    give_consent(shop, customer, source="checkout")
    orders = []
    for number in ("70001", "70002"):
        order = OrderFactory(
            shop=shop,
            customer=customer,
            number=number,
            ship_name="Zyxwell Quornström",
            ship_street="Qwertinkatu 77 B 12",
            ship_phone="+358 40 765 4321",
            address_check={"input": "Qwertinkatu 77 B 12", "ok": True},
            placed_at=START - timedelta(days=20),
        )
        OrderLineFactory(order=order, total_cents=4990, unit_price_cents=4990)
        PaymentFactory(order=order, amount_cents=order.total_cents)
        record_event(
            shop,
            types.ORDER_PLACED,
            subject=order,
            customer=customer,
            payload={"number": order.number, "ship_name": order.ship_name},
        )
        orders.append(order)
    worker_pass()  # the "Thanks" e-mails go out, the "Later" ones wait seven days
    shipment = ShipmentFactory(order=orders[0])
    TrackingEventFactory(shipment=shipment, location="Qwertinkatu 77 B 12")
    return_line = ReturnLineFactory(
        return_request=ReturnRequestFactory(
            order=orders[0], note="Zyxwell called about this", closed_at=START - timedelta(days=5)
        ),
        order_line=orders[0].lines.first(),
        comment="Too small for Zyxwell",
    )
    photo = ReturnPhoto(
        shop=shop,
        return_line=return_line,
        content_type="image/png",
        size_bytes=len(PNG),
        original_name="zyxwell-shoe.png",
    )
    photo.file.save("x.png", ContentFile(PNG), save=True)
    RefundFactory(
        order=orders[0],
        amount_cents=4990,
        return_request=return_line.return_request,
        reason="Return by Zyxwell",
    )
    StoreCredit.objects.create(
        shop=shop,
        customer=customer,
        return_request=return_line.return_request,
        amount_cents=500,
        issued_at=START - timedelta(days=4),
    )
    Withdrawal.objects.create(
        shop=shop,
        order=orders[1],
        customer=customer,
        notified_at=START - timedelta(days=3),
        period_ends_at=START + timedelta(days=10),
        refund_due_at=START + timedelta(days=11),
        acknowledgement_error="550 mailbox zyxwell.quorn@example.fi unavailable",
    )
    CustomerValue.objects.create(shop=shop, customer=customer, computed_at=START, orders=2)
    ticket = open_ticket(
        shop,
        email=email,
        name="Zyxwell Quornström",
        subject="Zyxwell's shoes",
        body="Dear shop, Zyxwell here about Qwertinkatu 77 B 12",
        topic="return",
        source="portal",
        customer=customer,
        order=orders[0],
        attachments=[Upload("zyxwell-receipt.png", "image/png", PNG)],
    )
    add_customer_message(ticket, body="Zyxwell again")
    assert FlowRun.objects.filter(customer=customer).exists()
    assert StepRun.objects.filter(run__customer=customer, state=StepRun.State.PENDING).exists()
    assert Consent.objects.filter(customer=customer).exists()
    customer.refresh_from_db()
    return RichCustomer(customer=customer, orders=orders, photo=photo)


@pytest.fixture
def rich_customer(shop_a, smtp, clock) -> RichCustomer:
    return make_rich_customer(shop_a.shop)
