"""A customer asks for a sign-in link by e-mail and opens it within 30 minutes."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.utils import timezone

from tests.returns.fixtures import delivered_order

ANSWER = "If we have orders for"


def link_in(message) -> str:
    return re.search(r"http://\S+/s/pohjola/link/\S+/", message.body).group(0)


def test_it_mails_a_link_that_signs_in_to_every_order(client, shop_a):
    first = delivered_order(shop_a.shop, email="aino@example.fi")
    second = delivered_order(shop_a.shop, email="aino@example.fi")
    second.customer = first.customer
    second.save()
    response = client.post("/s/pohjola/link/", {"email": "AINO@example.fi"}, follow=True)
    assert ANSWER in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["aino@example.fi"]
    path = link_in(mail.outbox[0]).removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200  # a click, not a mail scanner's fetch
    client.post(path)
    assert client.get(f"/s/pohjola/orders/{first.pk}/").status_code == 200
    assert client.get(f"/s/pohjola/orders/{second.pk}/").status_code == 200


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, shop_a):
    delivered_order(shop_a.shop, email="aino@example.fi")
    response = client.post("/s/pohjola/link/", {"email": "nobody@example.fi"}, follow=True)
    assert ANSWER in response.content.decode()
    assert mail.outbox == []


def test_the_link_expires_after_30_minutes(client, shop_a):
    order = delivered_order(shop_a.shop, email="aino@example.fi")
    client.post("/s/pohjola/link/", {"email": "aino@example.fi"})
    path = link_in(mail.outbox[0]).removeprefix("http://127.0.0.1:8000")
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.post(path, follow=True)
    assert "has expired or is not valid" in response.content.decode()
    assert client.get(f"/s/pohjola/orders/{order.pk}/").status_code == 302


def test_a_link_of_one_shop_does_not_open_another(client, shop_a, shop_b):
    delivered_order(shop_a.shop, email="aino@example.fi")
    client.post("/s/pohjola/link/", {"email": "aino@example.fi"})
    token = link_in(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    response = client.post(f"/s/saaristo/link/{token}/", follow=True)
    assert "has expired or is not valid" in response.content.decode()


def test_a_tampered_link_is_refused(client, shop_a):
    response = client.post("/s/pohjola/link/not-a-token/", follow=True)
    assert "has expired or is not valid" in response.content.decode()


def test_the_link_goes_out_over_smtp_in_the_customers_language(client, shop_a, smtp):
    delivered_order(shop_a.shop, email="aino@example.fi")
    client.post("/s/pohjola/link/", {"email": "aino@example.fi"}, HTTP_ACCEPT_LANGUAGE="fi")
    [received] = smtp.messages
    assert received.rcpt_tos == ["aino@example.fi"]
    message = received.message
    assert message["Subject"] == "Kirjautumislinkkisi: Pohjola Style"
    body = message.get_content()
    assert body.startswith("Hei,")
    assert "/s/pohjola/link/" in body
