"""The return's status page with its timeline, the PDF slip, the QR code and the photos."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from aftersale.returns import services
from aftersale.returns.policy import RequestedLine
from tests.returns.fixtures import DELIVERED_AT, delivered_order, photo, set_policy

NOW = DELIVERED_AT + timedelta(days=3)


def register(order, reason="too_small", photos=()):
    line = order.lines.order_by("id").first()
    return services.register_return(
        order.shop,
        order,
        [RequestedLine(line.pk, 1, reason, photos=list(photos))],
        resolution="refund",
        method="drop_off",
        now=NOW,
    )


@pytest.fixture
def returned(shop_a):
    set_policy(shop_a.shop, return_address="Pohjola Style\nVarastokatu 3\n00580 Helsinki")
    return register(delivered_order(shop_a.shop))


def test_the_status_page_shows_the_timeline(returned, signed_in):
    client = signed_in(returned.order)
    services.mark_in_transit(returned.shop, returned)
    body = client.get(f"/s/pohjola/returns/{returned.code}/").content.decode()
    assert "On its way back" in body
    assert "Drop-off at a pickup point or parcel locker" in body
    for state in ("Requested", "Approved", "On its way back"):
        assert f"<strong>{state}</strong>" in body


def test_the_slip_is_a_pdf_with_the_code_order_items_and_address(returned, signed_in):
    response = signed_in(returned.order).get(f"/s/pohjola/returns/{returned.code}/slip.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert returned.code in text
    assert f"Order {returned.order.number}" in text
    assert "Merino shirt M" in text
    assert "Varastokatu 3" in text


def test_the_qr_code_is_an_svg(returned, signed_in):
    response = signed_in(returned.order).get(f"/s/pohjola/returns/{returned.code}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


def test_there_is_no_slip_before_approval_or_after_receipt(shop_a, signed_in):
    set_policy(shop_a.shop, auto_approve_withdrawals=False)
    returned = register(delivered_order(shop_a.shop))
    client = signed_in(returned.order)
    assert client.get(f"/s/pohjola/returns/{returned.code}/slip.pdf").status_code == 404
    services.approve_return(shop_a.shop, returned)
    services.receive_return(shop_a.shop, returned)
    assert client.get(f"/s/pohjola/returns/{returned.code}/slip.pdf").status_code == 404


def test_the_customer_sees_their_photo(shop_a, signed_in):
    order = delivered_order(shop_a.shop)
    returned = register(order, reason="arrived_damaged", photos=[photo()])
    stored = returned.lines.get().photos.get()
    client = signed_in(order)
    response = client.get(f"/s/pohjola/returns/{returned.code}/photos/{stored.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_another_customer_sees_neither_the_return_nor_its_photo(shop_a, signed_in):
    order = delivered_order(shop_a.shop)
    returned = register(order, reason="arrived_damaged", photos=[photo()])
    stored = returned.lines.get().photos.get()
    client = signed_in(delivered_order(shop_a.shop, email="eero@example.fi"))
    for path in ("", "slip.pdf", "qr.svg", f"photos/{stored.pk}/"):
        assert client.get(f"/s/pohjola/returns/{returned.code}/{path}").status_code == 404


def test_a_return_of_another_shop_is_not_found(returned, shop_b, signed_in):
    client = signed_in(delivered_order(shop_b.shop, email=returned.customer.email))
    assert client.get(f"/s/saaristo/returns/{returned.code}/").status_code == 404


def test_photos_are_stored_outside_the_static_root(settings, shop_a):
    from pathlib import Path

    returned = register(delivered_order(shop_a.shop), reason="wrong_item", photos=[photo()])
    path = Path(returned.lines.get().photos.get().file.path)
    assert Path(settings.MEDIA_ROOT) in path.parents
    assert Path(settings.STATIC_ROOT) not in path.parents


def test_without_a_carrier_contract_it_says_what_to_write_on_the_parcel(returned, signed_in):
    """Measured: the page told customers to show our QR code at a pickup point, although a
    carrier takes no parcel on it."""
    body = signed_in(returned.order).get(f"/s/pohjola/returns/{returned.code}/").content.decode()
    assert "Show this QR code at a pickup point" not in body
    assert (
        f"Write on the parcel the return code {returned.code} and this address: "
        "Pohjola Style Varastokatu 3 00580 Helsinki." in body
    )
    assert "It is not a carrier's address label." in body


def test_with_the_shops_carrier_return_code_it_says_where_to_take_the_parcel(returned, signed_in):
    set_policy(returned.shop, drop_off_carrier="matkahuolto", drop_off_code="MH-RET-4411")
    client = signed_in(returned.order)
    body = client.get(f"/s/pohjola/returns/{returned.code}/").content.decode()
    assert (
        "Take the parcel to a Matkahuolto pickup point or parcel locker and send it with the "
        "shop&#x27;s return code MH-RET-4411." in body
    )
    assert "Write on the parcel" not in body
    slip = client.get(f"/s/pohjola/returns/{returned.code}/slip.pdf")
    text = PdfReader(io.BytesIO(slip.content)).pages[0].extract_text()
    assert "MH-RET-4411" in text


def test_a_return_brought_to_the_shop_is_scanned_there(shop_a, signed_in):
    set_policy(shop_a.shop, store_fee_cents=0)
    order = delivered_order(shop_a.shop)
    line = order.lines.order_by("id").first()
    brought = services.register_return(
        shop_a.shop,
        order,
        [RequestedLine(line.pk, 1, "too_small")],
        resolution="refund",
        method="store",
        now=NOW,
    )
    body = signed_in(order).get(f"/s/pohjola/returns/{brought.code}/").content.decode()
    assert "Bring the items to the shop." in body
    assert "pickup point" not in body.split('class="sending-steps"')[1].split("</ol>")[0]


def test_a_carrier_named_as_the_method_is_shown_by_its_name(returned, signed_in):
    returned.return_method = "db_schenker"
    returned.save()
    body = signed_in(returned.order).get(f"/s/pohjola/returns/{returned.code}/").content.decode()
    assert "DB Schenker" in body
    assert "db_schenker" not in body
