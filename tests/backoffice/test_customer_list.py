"""The customer list: search by name, e-mail, phone, customer id or order number; pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(shop_a, shop_b):
    shop = shop_a.shop
    return {
        "aino": CustomerFactory(
            shop=shop,
            first_name="Aino",
            last_name="Virtanen",
            email="aino@example.fi",
            phone="+358 40 111 2222",
            external_id="C-1001",
        ),
        "bertil": CustomerFactory(
            shop=shop,
            first_name="Bertil",
            last_name="Lindqvist",
            email="bertil@example.se",
            phone="+46 70 333 4444",
            external_id="C-1002",
        ),
        "foreign": CustomerFactory(
            shop=shop_b.shop,
            first_name="Aino",
            last_name="Ulkopuolinen",
            email="aino@b.example",
            external_id="C-1001",
        ),
    }


def names(response):
    return [c.last_name for c in response.context["page"].object_list]


@pytest.mark.parametrize(
    "query, found",
    [
        ("virtanen", ["Virtanen"]),
        ("Aino Virtanen", ["Virtanen"]),
        ("bertil@example.se", ["Lindqvist"]),
        ("example", ["Lindqvist", "Virtanen"]),
        ("333 4444", ["Lindqvist"]),
        ("c-1001", ["Virtanen"]),
        ("#55501", ["Lindqvist"]),
        ("55501", ["Lindqvist"]),
        ("nobody", []),
    ],
)
def test_it_finds_customers_of_this_shop_only(login, shop_a, customers, query, found):
    OrderFactory(shop=shop_a.shop, customer=customers["bertil"], number="55501")
    OrderFactory(customer=customers["foreign"], shop=customers["foreign"].shop, number="55502")
    response = login(shop_a.staff).get(reverse("backoffice:customer_list"), {"q": query})
    assert response.status_code == 200
    assert names(response) == found
    assert "Ulkopuolinen" not in response.content.decode()


def test_it_says_how_many_matched(login, shop_a, customers):
    html = login(shop_a.staff).get(reverse("backoffice:customer_list"), {"q": "aino"}).content
    assert "1 customer matches “aino”." in html.decode()


def test_it_shows_orders_and_links_to_the_customer(login, shop_a, customers):
    OrderFactory.create_batch(2, shop=shop_a.shop, customer=customers["aino"])
    response = login(shop_a.staff).get(reverse("backoffice:customer_list"))
    row = next(c for c in response.context["page"].object_list if c.pk == customers["aino"].pk)
    assert row.order_count == 2
    url = reverse("backoffice:customer_detail", args=[customers["aino"].pk])
    assert f'href="{url}"' in response.content.decode()


def test_it_pages_through_many_customers(login, shop_a):
    CustomerFactory.create_batch(30, shop=shop_a.shop)
    client = login(shop_a.staff)
    first = client.get(reverse("backoffice:customer_list"))
    assert len(first.context["page"].object_list) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(reverse("backoffice:customer_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5
    assert set(names(first)).isdisjoint(names(second))


@pytest.mark.parametrize("count", [3, 25])
def test_it_does_not_run_more_queries_for_a_fuller_page(
    login, shop_a, count, django_assert_max_num_queries
):
    for customer in CustomerFactory.create_batch(count, shop=shop_a.shop):
        OrderFactory(shop=shop_a.shop, customer=customer)
    client = login(shop_a.staff)
    # Session, user, membership, shop; order numbers; count; page; the page's order stats.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("backoffice:customer_list"), {"q": "aino"})
    assert len(response.context["page"].object_list) == count
