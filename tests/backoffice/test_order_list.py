"""The order list: search by number or e-mail, filter by delivery method and status, pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(shop_a, shop_b):
    shop = shop_a.shop
    aino = CustomerFactory(shop=shop, email="aino@example.fi")
    bertil = CustomerFactory(shop=shop, email="bertil@example.se")
    return {
        "home": OrderFactory(shop=shop, customer=aino, number="30001", delivery_method="home"),
        "locker": OrderFactory(
            shop=shop, customer=bertil, number="30002", delivery_method="parcel_locker"
        ),
        "cancelled": OrderFactory(shop=shop, customer=bertil, number="30003", status="cancelled"),
        "foreign": OrderFactory(
            shop=shop_b.shop, number="30001", customer__email="aino@example.fi"
        ),
    }


def numbers(response):
    return sorted(o.number for o in response.context["page"].object_list)


@pytest.mark.parametrize(
    "params, found",
    [
        ({}, ["30001", "30002", "30003"]),
        ({"q": "30001"}, ["30001"]),
        ({"q": "#30002"}, ["30002"]),
        ({"q": "aino@example.fi"}, ["30001"]),
        ({"q": "bertil"}, ["30002", "30003"]),
        ({"delivery_method": "parcel_locker"}, ["30002"]),
        ({"status": "cancelled"}, ["30003"]),
        ({"q": "bertil", "status": "open"}, ["30002"]),
        ({"q": "99999"}, []),
    ],
)
def test_it_finds_this_shops_orders(login, shop_a, orders, params, found):
    response = login(shop_a.staff).get(reverse("backoffice:order_list"), params)
    assert response.status_code == 200
    assert numbers(response) == found
    assert all(o.shop_id == shop_a.shop.pk for o in response.context["page"].object_list)


def test_it_ignores_an_unknown_filter_value_but_keeps_the_search(login, shop_a, orders):
    response = login(shop_a.staff).get(
        reverse("backoffice:order_list"), {"delivery_method": "drone", "q": "bertil"}
    )
    assert response.status_code == 200
    assert numbers(response) == ["30002", "30003"]


def test_it_labels_its_filters(login, shop_a, orders):
    html = login(shop_a.staff).get(reverse("backoffice:order_list")).content.decode()
    for field in ("id_q", "id_delivery_method", "id_status"):
        assert f'<label for="{field}">' in html


def test_it_pages_and_keeps_the_filters(login, shop_a):
    OrderFactory.create_batch(27, shop=shop_a.shop, delivery_method="home")
    response = login(shop_a.staff).get(
        reverse("backoffice:order_list"), {"delivery_method": "home"}
    )
    assert len(response.context["page"].object_list) == 25
    assert "?delivery_method=home&amp;page=2" in response.content.decode()


def test_it_does_not_run_more_queries_for_a_fuller_page(
    login, shop_a, django_assert_max_num_queries
):
    OrderFactory.create_batch(25, shop=shop_a.shop)
    client = login(shop_a.staff)
    with django_assert_max_num_queries(7):
        client.get(reverse("backoffice:order_list"))


def test_it_ties_the_search_hint_to_the_search_field(login, shop_a):
    html = login(shop_a.staff).get(reverse("backoffice:order_list")).content.decode()
    assert 'aria-describedby="id_q_helptext"' in html
    assert 'id="id_q_helptext"' in html
