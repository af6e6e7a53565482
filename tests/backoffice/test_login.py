"""Signing in and out of the back-office."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_shows_a_labelled_login_form(client):
    response = client.get(reverse("backoffice:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'class="skip-link"' in html


def test_it_signs_a_member_in_and_opens_the_dashboard(client, shop_a):
    response = client.post(
        reverse("backoffice:login"),
        {"username": "a-staff", "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("backoffice:dashboard")
    assert "Pohjola Style" in response.content.decode()


def test_it_says_when_the_password_is_wrong(client, shop_a):
    response = client.post(
        reverse("backoffice:login"), {"username": "a-staff", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_sends_an_anonymous_visitor_to_the_login_page(client):
    url = reverse("backoffice:customer_list")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('backoffice:login')}?next={url}"


def test_it_logs_out_only_by_post(login, shop_a):
    client = login(shop_a.staff)
    assert client.get(reverse("backoffice:logout")).status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post(reverse("backoffice:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:login")
    assert "_auth_user_id" not in client.session


def test_it_shows_the_page_in_the_browsers_language(client):
    response = client.get(reverse("backoffice:login"), HTTP_ACCEPT_LANGUAGE="fi")
    html = response.content.decode()
    assert '<html lang="fi">' in html
    assert "Kirjaudu" in html
