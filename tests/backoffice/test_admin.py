"""Django's admin is for the installation's operators (superusers), not for shop staff."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_keeps_staff_flagged_users_out_of_the_admin(login, shop_a):
    shop_a.owner.is_staff = True
    shop_a.owner.save()
    client = login(shop_a.owner)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/core/shop/").status_code == 302


def test_it_opens_the_admin_to_a_superuser(login):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = login(root)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/core/shop/").status_code == 200


def test_it_keeps_an_inactive_superuser_out(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True, is_active=False)
    client.force_login(root)
    assert client.get("/admin/").status_code == 302
