"""Long lists count only a window of rows past the page shown, never a shop's whole history."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersale.backoffice import pagination
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(shop_a, monkeypatch):
    """60 orders (pages of 25), with a count window of 30 rows past the start of a page."""
    monkeypatch.setattr(pagination, "COUNT_WINDOW", 30)
    customer = CustomerFactory(shop=shop_a.shop)
    return OrderFactory.create_batch(60, shop=shop_a.shop, customer=customer)


def get_page(client, number=None):
    response = client.get(reverse("backoffice:order_list"), {"page": number} if number else {})
    assert response.status_code == 200
    return response


def test_it_says_there_are_more_pages_without_counting_them(login, shop_a, orders):
    html = get_page(login(shop_a.staff)).content.decode()
    assert "Page 1 of more than 2" in html
    assert 'rel="next"' in html


def test_every_page_stays_reachable_with_next(login, shop_a, orders):
    client = login(shop_a.staff)
    second = get_page(client, 2)
    assert "Page 2 of more than 3" in second.content.decode()
    last = get_page(client, 3)
    assert "Page 3 of 3" in last.content.decode()
    assert not last.context["page"].has_next()
    seen = [
        order.pk
        for number in (1, 2, 3)
        for order in get_page(client, number).context["page"].object_list
    ]
    assert sorted(seen) == sorted(order.pk for order in orders)


def test_a_page_past_the_end_shows_the_last_page(login, shop_a, orders):
    response = get_page(login(shop_a.staff), 99)
    assert response.context["page"].number == 3
    assert len(response.context["page"].object_list) == 10


def test_a_short_list_says_how_many_pages_it_has(login, shop_a):
    OrderFactory.create_batch(30, shop=shop_a.shop)
    html = get_page(login(shop_a.staff)).content.decode()
    assert "Page 1 of 2" in html
    assert "more than" not in html


def test_the_count_stops_at_the_window_in_the_database(login, shop_a, orders):
    client = login(shop_a.staff)
    with CaptureQueriesContext(connection) as queries:
        get_page(client, 2)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert "LIMIT 56" in counts[0].upper()  # 25 rows before the page, 30 past it, one more


def test_it_says_so_in_finnish_and_swedish(login, shop_a, orders):
    client = login(shop_a.staff)
    for language, words in (("fi", "Sivu 1, sivuja yli 2"), ("sv", "Sida 1 av fler än 2")):
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        assert words in get_page(client).content.decode()
