"""Security headers: a strict CSP with no inline script or style anywhere in the templates,
Permissions-Policy, no caching of personal pages and API answers, no indexing of tracking,
portal and e-mailed links, and no server banner."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersale.core.services import create_api_token
from aftersale.portal import access
from tests.factories import ShipmentFactory
from tests.returns.fixtures import delivered_order
from tests.security.conftest import ROOT
from tests.security.servers import gunicorn


def assert_private_and_unindexed(response) -> None:
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"].startswith("noindex")


def test_personal_pages_and_api_answers_are_private_and_unindexed(client, shop_a, login):
    order = delivered_order(shop_a.shop)
    shipment = ShipmentFactory(order=order, held_until=timezone.now() + timedelta(days=3))
    link = access.magic_token(shop_a.shop, order.customer.email)
    for url in [
        f"/t/{shipment.tracking_token}/",
        f"/s/{shop_a.shop.slug}/",
        reverse("portal:open_link", args=[shop_a.shop.slug, link]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private_and_unindexed(response)
    _token, plain = create_api_token(shop_a.shop, name="headers")
    answer = client.get("/api/v1/orders", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert answer.status_code == 200
    assert_private_and_unindexed(answer)
    login(shop_a.owner)
    assert_private_and_unindexed(client.get("/"))


def test_static_files_keep_their_caching(client):
    response = client.get("/static/aftersale/aftersale.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


TEMPLATES = sorted((ROOT / "src" / "aftersale").rglob("templates/**/*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_no_template_has_inline_script_or_style(template):
    html = re.sub(r"{#.*?#}", "", template.read_text())  # template comments are never sent
    # Data blocks (JSON, and JSON-LD for search engines) are never run, so CSP allows them.
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    assert "<style" not in html, "inline style element"
    assert "hx-on" not in html


@pytest.mark.slow
@pytest.mark.own_database
def test_gunicorn_sends_no_server_banner(tmp_path):
    with gunicorn(tmp_path, workers=1) as server:
        reply = server.request("/login/")
    assert reply.status == 200
    assert "Server" not in reply.headers and "server" not in reply.headers
