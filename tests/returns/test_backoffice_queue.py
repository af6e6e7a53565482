"""The merchant's return queue: filters, bulk approval, and only the shop's own returns."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from aftersale.returns.models import ReturnState
from tests.returns.backoffice import NOW, a_return
from tests.returns.fixtures import set_policy


@pytest.fixture(autouse=True)
def _review_by_hand(shop_a, shop_b):
    set_policy(shop_a.shop, auto_approve_withdrawals=False)
    set_policy(shop_b.shop, auto_approve_withdrawals=False)


def test_it_requires_signing_in(client, shop_a):
    response = client.get("/returns/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_an_outsider_sees_no_queue(login, outsider):
    response = login(outsider).get("/returns/")
    assert response.status_code == 403
    assert "You are not a member of any shop" in response.content.decode()


def test_staff_see_their_shops_open_returns_only(login, shop_a, shop_b):
    mine = a_return(shop_a.shop)
    theirs = a_return(shop_b.shop)
    body = login(shop_a.staff).get("/returns/").content.decode()
    assert mine.code in body
    assert theirs.code not in body


def test_it_filters_by_state_reason_and_age(login, shop_a):
    small = a_return(shop_a.shop, reason="too_small")
    damaged = a_return(shop_a.shop, reason="arrived_damaged")
    recent = a_return(shop_a.shop, reason="changed_mind", now=NOW + timedelta(days=2))
    client = login(shop_a.staff)
    with time_machine.travel(NOW + timedelta(days=3)):
        by_reason = client.get("/returns/?reason=arrived_damaged").content.decode()
        assert damaged.code in by_reason and small.code not in by_reason
        old = client.get("/returns/?age=2").content.decode()
        assert small.code in old and recent.code not in old
    rejected = client.get("/returns/?state=rejected").content.decode()
    assert small.code not in rejected
    found = client.get(f"/returns/?q={small.order.number}").content.decode()
    assert small.code in found and damaged.code not in found


def test_bulk_approval_approves_the_ticked_returns(login, shop_a):
    first = a_return(shop_a.shop)
    second = a_return(shop_a.shop)
    client = login(shop_a.staff)
    response = client.post("/returns/approve/", {"ids": [first.pk, second.pk]}, follow=True)
    assert "Approved 2 returns." in response.content.decode()
    first.refresh_from_db()
    assert first.state == ReturnState.APPROVED


def test_bulk_approval_ignores_another_shops_returns(login, shop_a, shop_b):
    theirs = a_return(shop_b.shop)
    response = login(shop_a.staff).post("/returns/approve/", {"ids": [theirs.pk]}, follow=True)
    assert "Tick the returns to approve first." in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.state == ReturnState.REQUESTED


def test_the_queue_does_not_query_per_row(login, shop_a, django_assert_max_num_queries):
    for _ in range(5):
        a_return(shop_a.shop)
    client = login(shop_a.staff)
    with django_assert_max_num_queries(14):
        assert client.get("/returns/").status_code == 200


def test_bulk_approval_returns_only_to_this_site(login, shop_a):
    returned = a_return(shop_a.shop)
    client = login(shop_a.staff)
    response = client.post(
        "/returns/approve/", {"ids": [returned.pk], "next": "https://evil.example/"}
    )
    assert response["Location"] == "/returns/"
    response = client.post("/returns/approve/", {"ids": [returned.pk], "next": "/returns/?age=2"})
    assert response["Location"] == "/returns/?age=2"


def test_the_open_queue_is_read_from_its_own_index(login, shop_a):
    """Closed returns are most of a shop's history; the queue must not walk past them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.planner import plan_of

    a_return(shop_a.shop)
    client = login(shop_a.staff)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/returns/").status_code == 200
    page = next(
        q
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "returns_returnrequest"."id"') and "LIMIT" in q["sql"]
    )
    plan = plan_of(page)
    assert "return_open_queue" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
