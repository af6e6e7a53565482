"""The customer's loyalty page in the portal: points, pending points with the day they vest,
the tier and the way to the next one, the history; only for the signed-in customer."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from aftersale.loyalty import services
from aftersale.orders.models import Customer
from tests.loyalty.stories import place, read_timeline, track, vest_now
from tests.loyalty.test_vesting import MONDAY, SATURDAY, at_helsinki


@pytest.fixture
def order(programme, clock):
    placed = place(programme, "A-1", placed_at=SATURDAY)
    read_timeline()
    track(programme, placed, "delivered", MONDAY)
    read_timeline()
    return placed


def test_a_customer_sees_pending_points_with_the_day_they_vest(order, signed_in):
    with translation.override("en"):
        page = signed_in(order).get("/s/pohjola/loyalty/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<dd data-points="available">0</dd>' in html
    assert '<dd data-points="pending">200</dd>' in html
    assert "200 points on 17 November 2026" in html
    assert "Order A-1" in html
    assert "€200.00 more in kept purchases over 12 months reaches Silver." in html


def test_after_vesting_the_points_are_available_and_the_tier_shows(order, signed_in, clock):
    customer = Customer.objects.get(external_id="c-1")
    services.adjust(order.shop, customer, points=25, reason="Sorry for the wait", staff_user=None)
    clock.move_to(at_helsinki(date(2026, 11, 17), 1))
    vest_now()
    html = signed_in(order).get("/s/pohjola/loyalty/").content.decode()
    assert '<dd data-points="available">225</dd>' in html
    assert "data-vesting" not in html
    assert "Sorry for the wait" in html


def test_the_page_asks_to_sign_in_first(programme):
    from django.test import Client

    response = Client().get("/s/pohjola/loyalty/")
    assert response.status_code == 302
    assert response["Location"] == "/s/pohjola/"


def test_a_shop_without_a_programme_has_no_page(order, signed_in, shop_b):
    services.save_programme(order.shop, enabled=False)
    assert signed_in(order).get("/s/pohjola/loyalty/").status_code == 404
    assert signed_in(order).get("/s/saaristo/loyalty/").status_code == 404


def test_a_customer_signed_in_to_shop_a_sees_nothing_of_shop_b(order, signed_in, shop_b):
    services.save_programme(shop_b.shop, enabled=True)
    client = signed_in(order)
    response = client.get("/s/saaristo/loyalty/")
    assert response.status_code == 302  # no grant in shop B: sign in there first


def test_the_history_is_paginated_with_a_bounded_number_of_queries(
    order, signed_in, django_assert_max_num_queries
):
    customer = Customer.objects.get(external_id="c-1")
    for n in range(45):
        services.adjust(order.shop, customer, points=1, reason=f"r{n}", staff_user=None)
    client = signed_in(order)
    # The first view makes the member's referral code and puts the shop's opening status in the
    # shared cache; from then on: 14 for the points and history, 6 for the rewards and referral
    # blocks, one for the opening status.
    client.get("/s/pohjola/loyalty/")
    with django_assert_max_num_queries(21):
        first = client.get("/s/pohjola/loyalty/").content.decode()
    assert "r44" in first and "r20" not in first
    older = client.get("/s/pohjola/loyalty/?page=3").content.decode()
    assert "· r0</span>" in older
    assert "r44" not in older


def test_signed_in_by_one_order_number_the_history_hides_the_other_orders(order, signed_in, client):
    second = place(order.shop, "B-7", placed_at=SATURDAY)
    read_timeline()
    customer = Customer.objects.get(external_id="c-1")
    referral_order = place(order.shop, "FRIEND-9", placed_at=SATURDAY, customer="friend")
    services.earn(
        order.shop,
        customer,
        points=30,
        source_type="referral",
        source_id=1,
        rule=services.current_rule(order.shop),
        vests_on=date(2026, 12, 1),
        order=referral_order,
        natural_key="earn:referral:1:advocate",
    )
    from tests.loyalty.test_refunds import refund

    refund(order.shop, second, 3100, external_id="R-B7")

    html = signed_in(order).get("/s/pohjola/loyalty/").content.decode()
    assert "Order A-1" in html
    assert "B-7" not in html and "FRIEND-9" not in html
    assert html.count("Another order") >= 3  # B-7's points, its refund, the friend's order

    # A magic link proves the e-mail: every order of the customer shows, the friend's does not.
    from aftersale.portal import access

    client.post(f"/s/pohjola/link/{access.magic_token(order.shop, customer.email)}/")
    html = client.get("/s/pohjola/loyalty/").content.decode()
    assert "Order A-1" in html and "Order B-7" in html and "Refunded €31.00" in html
    assert "FRIEND-9" not in html
