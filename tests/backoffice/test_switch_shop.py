"""A user who works in several shops switches between them; never into a foreign shop."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersale.backoffice.access import SESSION_KEY
from aftersale.core.services import add_member
from tests.factories import CustomerFactory, ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_shop_user(shop_a, shop_b):
    add_member(shop_b.shop, shop_a.staff)
    return shop_a.staff


def test_it_offers_a_switcher_only_to_users_with_several_shops(login, shop_a, two_shop_user):
    client = login(two_shop_user)
    html = client.get(reverse("backoffice:dashboard")).content.decode()
    assert 'id="shop-select"' in html
    assert "Saaristo Tech" in html

    client.logout()
    client = login(shop_a.owner)
    assert 'id="shop-select"' not in client.get(reverse("backoffice:dashboard")).content.decode()


def test_it_switches_to_another_of_the_users_shops(login, shop_a, shop_b, two_shop_user):
    CustomerFactory(shop=shop_b.shop, first_name="Björn", last_name="Saarinen")
    client = login(two_shop_user)
    assert "Saarinen" not in client.get(reverse("backoffice:customer_list")).content.decode()

    response = client.post(
        reverse("backoffice:switch_shop"),
        {"shop": shop_b.shop.pk, "next": reverse("backoffice:customer_list")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:customer_list")
    assert client.session[SESSION_KEY] == shop_b.shop.pk
    assert "Saarinen" in client.get(reverse("backoffice:customer_list")).content.decode()


def test_it_cannot_switch_into_a_shop_the_user_is_not_a_member_of(login, shop_a, shop_b):
    client = login(shop_a.staff)
    response = client.post(reverse("backoffice:switch_shop"), {"shop": shop_b.shop.pk})
    assert response.status_code == 404
    assert SESSION_KEY not in client.session
    html = client.get(reverse("backoffice:dashboard")).content.decode()
    assert "Pohjola Style" in html
    assert "Saaristo Tech" not in html


def test_it_ignores_a_foreign_shop_planted_in_the_session(login, shop_a, shop_b):
    client = login(shop_a.staff)
    session = client.session
    session[SESSION_KEY] = shop_b.shop.pk
    session.save()
    CustomerFactory(shop=shop_b.shop, last_name="Saarinen")
    html = client.get(reverse("backoffice:customer_list")).content.decode()
    assert "Saarinen" not in html
    assert "Pohjola Style" in html


def test_it_does_not_follow_a_next_address_on_another_site(login, two_shop_user, shop_b):
    client = login(two_shop_user)
    response = client.post(
        reverse("backoffice:switch_shop"),
        {"shop": shop_b.shop.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("backoffice:dashboard")


def test_it_refuses_a_get_and_nonsense(login, two_shop_user):
    client = login(two_shop_user)
    assert client.get(reverse("backoffice:switch_shop")).status_code == 405
    assert client.post(reverse("backoffice:switch_shop"), {"shop": "x"}).status_code == 404
    other = ShopFactory()
    assert client.post(reverse("backoffice:switch_shop"), {"shop": other.pk}).status_code == 404
