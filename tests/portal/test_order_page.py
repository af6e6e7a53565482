"""The order page lists the lines and, for each that cannot be returned, why not."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.returns.fixtures import DELIVERED_AT, delivered_order, non_returnable_line


def test_it_asks_to_sign_in_first(client, shop_a):
    order = delivered_order(shop_a.shop)
    response = client.get(f"/s/pohjola/orders/{order.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/s/pohjola/"


@time_machine.travel(DELIVERED_AT + timedelta(days=3))
def test_it_shows_each_line_and_why_some_cannot_be_returned(shop_a, signed_in):
    order = delivered_order(shop_a.shop)
    non_returnable_line(order, "hygiene")
    body = signed_in(order).get(f"/s/pohjola/orders/{order.pk}/").content.decode()
    assert "Merino shirt M" in body
    assert "Returnable" in body
    assert "Hygiene product: it cannot be returned once the seal is broken." in body
    assert "Return items or report a problem" in body


def test_a_customer_cannot_open_another_customers_order(shop_a, signed_in):
    mine = delivered_order(shop_a.shop, email="aino@example.fi")
    theirs = delivered_order(shop_a.shop, email="eero@example.fi")
    client = signed_in(mine)
    assert client.get(f"/s/pohjola/orders/{theirs.pk}/").status_code == 404
    assert client.get(f"/s/pohjola/orders/{theirs.pk}/return/").status_code == 404


def test_a_session_in_one_shop_sees_nothing_in_another(shop_a, shop_b, signed_in):
    mine = delivered_order(shop_a.shop)
    foreign = delivered_order(shop_b.shop, email=mine.customer.email)
    client = signed_in(mine)
    assert client.get(f"/s/saaristo/orders/{foreign.pk}/").status_code == 302  # sign in there
    assert client.get(f"/s/pohjola/orders/{foreign.pk}/").status_code == 404


@time_machine.travel(DELIVERED_AT + timedelta(days=3))
def test_prices_are_written_as_the_customers_language_writes_money(shop_a, signed_in):
    order = delivered_order(shop_a.shop)  # shirts at 49.90 EUR
    client = signed_in(order)
    finnish = client.get(f"/s/pohjola/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="fi")
    english = client.get(f"/s/pohjola/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "× 49,90\xa0€" in finnish.content.decode()
    assert "× €49.90" in english.content.decode()  # as in the back-office and the e-mails


@time_machine.travel(DELIVERED_AT + timedelta(days=3))
def test_the_page_costs_the_same_queries_for_two_lines_or_eight(
    shop_a, signed_in, django_assert_max_num_queries
):
    counts = []
    for lines in (2, 8):
        order = delivered_order(shop_a.shop, lines=lines, email=f"c{lines}@example.fi")
        client = signed_in(order)
        # The first view also puts the shop's opening status in the shared cache.
        client.get(f"/s/pohjola/orders/{order.pk}/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/s/pohjola/orders/{order.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(12):
        client.get(f"/s/pohjola/orders/{order.pk}/")
