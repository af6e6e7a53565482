"""One return in the back-office: every step of the state machine from the merchant's side."""

from __future__ import annotations

import pytest

from aftersale.orders.models import Refund
from aftersale.returns.models import ReturnState, StoreCredit
from tests.returns.backoffice import a_return
from tests.returns.fixtures import set_policy


def url(returned):
    return f"/returns/{returned.pk}/"


def test_another_shops_return_is_not_found(login, shop_a, shop_b):
    theirs = a_return(shop_b.shop)
    client = login(shop_a.staff)
    assert client.get(url(theirs)).status_code == 404
    assert client.post(url(theirs), {"action": "receive"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == ReturnState.APPROVED


def test_another_shops_photo_is_not_found(login, shop_a, shop_b):
    theirs = a_return(shop_b.shop, reason="arrived_damaged")
    mine = a_return(shop_a.shop)
    photo = theirs.lines.get().photos.get()
    client = login(shop_a.staff)
    assert client.get(f"/returns/{theirs.pk}/photos/{photo.pk}/").status_code == 404
    assert client.get(f"/returns/{mine.pk}/photos/{photo.pk}/").status_code == 404


def test_staff_see_the_customers_photo(login, shop_a):
    returned = a_return(shop_a.shop, reason="arrived_damaged")
    photo = returned.lines.get().photos.get()
    client = login(shop_a.staff)
    assert (
        f"/returns/{returned.pk}/photos/{photo.pk}/" in client.get(url(returned)).content.decode()
    )
    response = client.get(f"/returns/{returned.pk}/photos/{photo.pk}/")
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")


def test_approve_or_reject_a_complaint(login, shop_a):
    complaint = a_return(shop_a.shop, reason="arrived_damaged")
    client = login(shop_a.staff)
    response = client.post(url(complaint), {"action": "reject", "reason": ""})
    assert response.status_code == 400
    assert "Write the reason for the rejection" in response.content.decode()
    client.post(url(complaint), {"action": "approve"})
    complaint.refresh_from_db()
    assert complaint.state == ReturnState.APPROVED


def test_an_invalid_step_is_refused_with_a_message(login, shop_a):
    returned = a_return(shop_a.shop)
    response = login(shop_a.staff).post(url(returned), {"action": "close"})
    assert response.status_code == 400
    assert "is approved and cannot become closed" in response.content.decode()


def test_receive_inspect_and_refund_with_the_computed_amount(login, shop_a):
    set_policy(shop_a.shop, drop_off_fee_cents=490)
    returned = a_return(shop_a.shop)
    line = returned.lines.get()
    client = login(shop_a.staff)
    client.post(url(returned), {"action": "receive"})
    response = client.post(url(returned), {"action": "inspect"})
    assert "Choose restock or damaged for every item" in response.content.decode()
    client.post(
        url(returned),
        {"action": "inspect", f"inspection-{line.pk}": "restock", f"note-{line.pk}": "Unworn"},
    )
    body = client.get(url(returned)).content.decode()
    assert 'value="45.00"' in body  # 49.90 minus the 4.90 drop-off fee
    client.post(url(returned), {"action": "refund", "amount": "45.00"})
    returned.refresh_from_db()
    line.refresh_from_db()
    assert (returned.state, returned.refund_cents) == (ReturnState.REFUNDED, 4500)
    assert (line.inspection, line.inspection_note) == ("restock", "Unworn")
    assert Refund.objects.for_shop(shop_a.shop).get().amount_cents == 4500
    client.post(url(returned), {"action": "close"})
    returned.refresh_from_db()
    assert returned.state == ReturnState.CLOSED


def test_a_refund_above_the_computed_amount_is_refused(login, shop_a):
    returned = a_return(shop_a.shop)
    line = returned.lines.get()
    client = login(shop_a.staff)
    client.post(url(returned), {"action": "receive"})
    client.post(url(returned), {"action": "inspect", f"inspection-{line.pk}": "damaged"})
    response = client.post(url(returned), {"action": "refund", "amount": "60"})
    assert response.status_code == 400
    assert "The refund must be between 0 and 49.90." in response.content.decode()
    assert not Refund.objects.exists()


def test_store_credit_and_exchange_are_settled_from_the_page(login, shop_a):
    credit = a_return(shop_a.shop, resolution="store_credit")
    exchange = a_return(shop_a.shop, resolution="exchange")
    client = login(shop_a.staff)
    for returned, action in ((credit, "credit"), (exchange, "exchange")):
        line = returned.lines.get()
        client.post(url(returned), {"action": "receive"})
        client.post(url(returned), {"action": "inspect", f"inspection-{line.pk}": "restock"})
        client.post(url(returned), {"action": action})
    credit.refresh_from_db()
    exchange.refresh_from_db()
    assert (credit.state, exchange.state) == (ReturnState.CREDITED, ReturnState.EXCHANGED)
    assert StoreCredit.objects.for_shop(shop_a.shop).get().amount_cents == 5489


def inspected_return(login, tenant):
    """A return received and inspected (restock), ready for its refund; and staff signed in."""
    returned = a_return(tenant.shop)
    line = returned.lines.get()
    client = login(tenant.staff)
    client.post(url(returned), {"action": "receive"})
    client.post(url(returned), {"action": "inspect", f"inspection-{line.pk}": "restock"})
    return client, returned


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("inf", "Write the refund as an amount, e.g. 49.90."),
        ("nan", "Write the refund as an amount, e.g. 49.90."),
        ("1e300", "Write the refund as an amount, e.g. 49.90."),
        ("10.999", "Write the refund as an amount, e.g. 49.90."),
        ("-5", "Write the refund as an amount, e.g. 49.90."),
        ("99999999999", "The refund must be between 0 and 49.90."),
    ],
)
def test_a_refund_amount_that_is_not_an_amount_is_named_beside_the_field(login, shop_a, amount,
                                                                         message):  # fmt: skip
    client, returned = inspected_return(login, shop_a)
    response = client.post(url(returned), {"action": "refund", "amount": amount})
    assert response.status_code == 400
    body = response.content.decode()
    assert f'<p class="error" id="refund-amount-error" role="alert">{message}</p>' in body
    assert f'value="{amount}"' in body
    assert not Refund.objects.exists()


def test_a_refund_with_a_decimal_comma_is_read(login, shop_a):
    client, returned = inspected_return(login, shop_a)
    client.post(url(returned), {"action": "refund", "amount": "40,5"})
    assert Refund.objects.for_shop(shop_a.shop).get().amount_cents == 4050
