"""The frame around every back-office page: language, navigation and keyboard help."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_switches_the_language_and_remembers_it(login, shop_a):
    client = login(shop_a.staff)
    response = client.post(
        reverse("set_language"), {"language": "sv", "next": reverse("backoffice:customer_list")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:customer_list")
    html = client.get(reverse("backoffice:customer_list")).content.decode()
    assert '<html lang="sv">' in html
    assert "<h1>Kunder</h1>" in html
    assert "Logga ut" in html


def test_it_marks_the_current_area_in_the_navigation(login, shop_a):
    html = login(shop_a.staff).get(reverse("backoffice:order_list")).content.decode()
    orders_url = reverse("backoffice:order_list")
    assert f'<a href="{orders_url}" aria-current="page">' in html
    customers_url = reverse("backoffice:customer_list")
    assert f'<a href="{customers_url}" aria-current="page">' not in html


def test_it_offers_a_skip_link_and_labelled_controls(login, shop_a):
    html = login(shop_a.staff).get(reverse("backoffice:dashboard")).content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main" tabindex="-1">' in html
    assert '<label for="language-select"' in html
    assert '<button type="submit" class="small">Change language</button>' in html


def test_the_navigation_links_every_area_in_the_readers_language(login, shop_a):
    client = login(shop_a.staff)
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    html = client.get(reverse("backoffice:dashboard")).content.decode()
    dashboard = reverse("backoffice:dashboard")
    assert f'<li><a href="{dashboard}" aria-current="page">' in html
    for name in (
        "customer_list",
        "order_list",
        "deliveries",
        "tickets",
        "returns",
        "loyalty_settings",
        "rewards",
        "withdrawals",
        "help",
    ):
        assert f'<li><a href="{reverse(f"backoffice:{name}")}">' in html
    assert ">Kunder</a></li>" in html
    assert ">Returer</a></li>" in html
    # Pages under the dashboard's address do not make it current.
    html = client.get(reverse("backoffice:returns")).content.decode()
    assert f'<li><a href="{dashboard}">' in html
    assert f'<li><a href="{reverse("backoffice:returns")}" aria-current="page">' in html


def test_only_owners_see_the_privacy_link(login, shop_a):
    privacy = f'href="{reverse("backoffice:privacy_settings")}"'
    assert privacy not in login(shop_a.staff).get("/").content.decode()
    assert privacy in login(shop_a.owner).get("/").content.decode()
