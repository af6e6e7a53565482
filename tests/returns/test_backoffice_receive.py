"""Receiving a parcel by typing or scanning its return code."""

from __future__ import annotations

from aftersale.returns.models import ReturnState
from tests.returns.backoffice import a_return


def test_a_scanned_code_marks_the_return_received(login, shop_a):
    returned = a_return(shop_a.shop)
    client = login(shop_a.staff)
    assert client.get("/returns/receive/").status_code == 200
    response = client.post("/returns/receive/", {"code": f" {returned.code.lower()} "})
    assert response["Location"] == f"/returns/{returned.pk}/"
    returned.refresh_from_db()
    assert returned.state == ReturnState.RECEIVED


def test_an_unknown_code_says_so(login, shop_a):
    response = login(shop_a.staff).post("/returns/receive/", {"code": "RNOPE"})
    assert "No return with the code RNOPE in this shop." in response.content.decode()


def test_another_shops_code_is_unknown_here(login, shop_a, shop_b):
    theirs = a_return(shop_b.shop)
    response = login(shop_a.staff).post("/returns/receive/", {"code": theirs.code})
    assert "No return with the code" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.state == ReturnState.APPROVED


def test_a_return_received_twice_is_refused(login, shop_a):
    returned = a_return(shop_a.shop)
    client = login(shop_a.staff)
    client.post("/returns/receive/", {"code": returned.code})
    response = client.post("/returns/receive/", {"code": returned.code})
    assert "is received and cannot become received" in response.content.decode()
