"""Unclaimed parcels as their own case (refund = paid - fee, never negative, customer told) and
restocking a returned line exactly once."""

from __future__ import annotations

import pytest

from aftersale.catalog.models import Variant
from aftersale.returns import services, unclaimed
from aftersale.returns.models import UnclaimedCase
from aftersale.timeline import types
from aftersale.timeline.models import Event
from aftersale.timeline.services import record_event
from tests.factories import (
    OrderFactory,
    PaymentFactory,
    RefundFactory,
    ReturnLineFactory,
    ShipmentFactory,
)
from tests.withdrawals.fixtures import delivered_order, helsinki, set_withdrawal_settings

pytestmark = pytest.mark.django_db


def order_paid(shop, *, paid, refunded=(), payments=1):
    """An order of ``paid`` cents (in ``payments`` parts) with ``refunded`` amounts refunded."""
    order = OrderFactory(shop=shop, total_cents=paid, subtotal_cents=paid, shipping_cents=0)
    for n in range(payments):
        PaymentFactory(
            order=order, amount_cents=paid // payments + (paid % payments if n == 0 else 0)
        )
    for amount in refunded:
        RefundFactory(order=order, amount_cents=amount)
    return order


@pytest.mark.parametrize(
    ("paid", "payments", "refunded", "fee", "expected"),
    [
        # paid, refunded before, fee kept, refunded now
        (5580, 1, (), 1500, (5580, 0, 1500, 4080)),
        (900, 1, (), 1500, (900, 0, 900, 0)),  # the fee never exceeds what was paid
        (4990, 2, (), 0, (4990, 0, 0, 4990)),  # two payments count together
        (8280, 1, (2000,), 790, (8280, 2000, 790, 5490)),  # a returned item refunded before
        # The walk-through's case: 82,80 € paid, the shop already refunded all but its 7,90 €
        # fee. Nothing more is refunded and no second fee is kept.
        (8280, 1, (7490,), 790, (8280, 7490, 790, 0)),
        (8280, 1, (8280,), 790, (8280, 8280, 0, 0)),  # refunded in full: nothing to keep
    ],
)
def test_the_refund_is_paid_minus_refunds_minus_the_shops_fee_never_negative(
    shop_a, paid, payments, refunded, fee, expected
):
    set_withdrawal_settings(shop_a.shop, unclaimed_fee_cents=fee)
    order = order_paid(shop_a.shop, paid=paid, refunded=refunded, payments=payments)
    amounts = unclaimed.refund_preview(shop_a.shop, order)
    assert (
        amounts.paid_cents,
        amounts.refunded_before_cents,
        amounts.fee_cents,
        amounts.refund_cents,
    ) == expected


def test_the_notice_quotes_what_was_paid_refunded_kept_and_refunded_now(
    shop_a, smtp, django_capture_on_commit_callbacks
):
    set_withdrawal_settings(shop_a.shop, unclaimed_fee_cents=790)
    order = order_paid(shop_a.shop, paid=8280, refunded=(7490,))
    shipment = ShipmentFactory(order=order, status="returned_to_sender")
    with django_capture_on_commit_callbacks(execute=True):
        case = unclaimed.open_unclaimed_case(shop_a.shop, shipment)
    assert (case.paid_cents, case.refunded_before_cents, case.fee_cents, case.refund_cents) == (
        8280,
        7490,
        790,
        0,
    )
    [mail] = [received.message for received in smtp.messages]
    body = mail.get_content()
    assert "82,80\xa0€" in body  # what the customer paid, not paid minus refunds
    assert "74,90\xa0€" in body and "7,90\xa0€" in body
    assert "Mitään ei ole enää palautettavaa." in body  # nothing more to refund (Finnish)


def test_a_recent_parcel_without_earlier_refunds_gets_paid_minus_fee(
    shop_a, smtp, django_capture_on_commit_callbacks
):
    set_withdrawal_settings(shop_a.shop, unclaimed_fee_cents=790)
    order = order_paid(shop_a.shop, paid=8280)
    shipment = ShipmentFactory(order=order, status="returned_to_sender")
    with django_capture_on_commit_callbacks(execute=True):
        unclaimed.open_unclaimed_case(shop_a.shop, shipment)
    body = smtp.messages[0].message.get_content()
    assert "82,80\xa0€" in body and "7,90\xa0€" in body and "74,90\xa0€" in body
    assert "on jo palautettu" not in body  # nothing was refunded before


def returned_parcel(shop):
    order = delivered_order(shop, lines=1, delivered_at=None)
    return ShipmentFactory(order=order, status="returned_to_sender")


def test_it_opens_a_case_from_the_back_office_and_tells_the_customer(
    login, shop_a, smtp, django_capture_on_commit_callbacks
):
    set_withdrawal_settings(shop_a.shop, unclaimed_fee_cents=1290)
    shipment = returned_parcel(shop_a.shop)
    client = login(shop_a.owner)
    html = client.get("/withdrawals/").content.decode()
    assert f'data-shipment="{shipment.pk}"' in html
    assert "must match them on average" in html
    row = html[html.index(f'data-shipment="{shipment.pk}"') :]
    assert "€49.90" in row[: row.index("</tr>")] and "€37.00" in row[: row.index("</tr>")]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/withdrawals/unclaimed/{shipment.pk}/open/")
    case = UnclaimedCase.objects.get()
    assert (case.paid_cents, case.fee_cents, case.refund_cents) == (4990, 1290, 3700)
    assert Event.objects.filter(type=types.UNCLAIMED_CASE_OPENED).count() == 1
    [mail] = [received.message for received in smtp.messages]
    assert "palautui noutamattomana" in mail["Subject"]  # in the customer's language
    assert "37,00\xa0€" in mail.get_content()  # Finnish amounts

    client.post(f"/withdrawals/unclaimed/cases/{case.pk}/refund/")
    case.refresh_from_db()
    assert case.state == "refunded" and case.refund.amount_cents == 3700


def test_it_opens_cases_from_the_timeline_once(shop_a):
    shipment = returned_parcel(shop_a.shop)
    record_event(shop_a.shop, types.SHIPMENT_RETURNED_TO_SENDER, subject=shipment)
    assert unclaimed.open_cases_from_timeline() == 1
    assert unclaimed.open_cases_from_timeline() == 0
    assert UnclaimedCase.objects.filter(shipment=shipment).count() == 1


def test_it_refuses_a_foreign_shops_parcel_and_case(login, shop_a, shop_b):
    shipment = returned_parcel(shop_b.shop)
    client = login(shop_a.owner)
    assert client.post(f"/withdrawals/unclaimed/{shipment.pk}/open/").status_code == 404
    case = unclaimed.open_unclaimed_case(shop_b.shop, shipment)
    assert client.post(f"/withdrawals/unclaimed/cases/{case.pk}/refund/").status_code == 404
    assert f'data-unclaimed-case="{case.pk}"' not in client.get("/withdrawals/").content.decode()


def test_a_restocked_line_increases_stock_once_and_tells_the_shop(shop_a):
    line = ReturnLineFactory(
        return_request__order=delivered_order(shop_a.shop, lines=1),
        return_request__state="received",
        quantity=1,
    )
    variant = line.order_line.variant
    before = variant.stock
    outcomes = {line.pk: ("restock", "")}
    services.inspect_return(
        shop_a.shop, line.return_request, outcomes, now=helsinki(2026, 11, 12, 9)
    )
    with pytest.raises(services.InvalidTransition):  # saved again: refused, no second restock
        services.inspect_return(shop_a.shop, line.return_request, outcomes)
    assert Variant.objects.get(pk=variant.pk).stock == before + 1
    [event] = Event.objects.filter(type=types.VARIANT_RESTOCKED)
    assert event.payload["sku"] == variant.sku
    assert event.payload["quantity"] == 1 and event.payload["stock"] == before + 1


def test_a_damaged_line_is_not_restocked(shop_a):
    line = ReturnLineFactory(
        return_request__order=delivered_order(shop_a.shop, lines=1),
        return_request__state="received",
    )
    before = line.order_line.variant.stock
    services.inspect_return(shop_a.shop, line.return_request, {line.pk: ("damaged", "torn")})
    assert Variant.objects.get(pk=line.order_line.variant_id).stock == before
    assert not Event.objects.filter(type=types.VARIANT_RESTOCKED).exists()


def test_it_tells_the_customer_later_when_the_first_notice_failed(
    shop_a, smtp, django_capture_on_commit_callbacks
):
    shipment = returned_parcel(shop_a.shop)
    smtp.refuse = True
    with django_capture_on_commit_callbacks(execute=True):
        case = unclaimed.open_unclaimed_case(shop_a.shop, shipment)
    case.refresh_from_db()
    assert case.customer_notified_at is None
    smtp.refuse = False
    unclaimed.open_cases_from_timeline()
    case.refresh_from_db()
    assert case.customer_notified_at is not None
    assert len(smtp.messages) == 1
