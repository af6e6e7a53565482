"""The portal's contact form: a ticket opens, signed in or not; spam and bad files stay out."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersale.portal import access
from aftersale.service.models import Ticket
from tests.factories import CustomerFactory, OrderFactory
from tests.service.conftest import make_article

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_limits():
    from django.core.cache import cache

    cache.clear()


def url(shop, name="portal:contact"):
    return reverse(name, args=[shop.slug])


def form(**overrides):
    values = {
        "name": "Aino Virtanen",
        "email": "aino@example.fi",
        "topic": "delivery",
        "subject": "Where is my parcel?",
        "message": "It should have arrived on Monday.",
        "website": "",
    }
    values.update(overrides)
    return values


def test_a_visitor_who_is_not_signed_in_opens_a_ticket(client, shop_a):
    page = client.get(url(shop_a.shop))
    assert page.status_code == 200
    assert 'name="website"' in page.content.decode()  # the honeypot
    assert "We answer within" in page.content.decode()  # the opening status

    photo = SimpleUploadedFile("parcel.png", PNG, content_type="image/png")
    response = client.post(url(shop_a.shop), {**form(), "attachments": [photo]})
    assert response.status_code == 302
    assert response["Location"] == url(shop_a.shop, "portal:contact_sent")
    ticket = Ticket.objects.for_shop(shop_a.shop).get()
    assert (ticket.email, ticket.topic, ticket.source) == ("aino@example.fi", "delivery", "portal")
    assert ticket.messages.get().attachments.get().name == "parcel.png"


def test_a_signed_in_customer_chooses_one_of_their_orders(client, shop_a):
    customer = CustomerFactory(shop=shop_a.shop, email="aino@example.fi")
    own = OrderFactory(shop=shop_a.shop, customer=customer, number="31313")
    someone_elses = OrderFactory(shop=shop_a.shop, number="42424")
    session_page = client.get(url(shop_a.shop))  # a session to grant into
    request = session_page.wsgi_request
    access.grant(request, shop_a.shop, customers=[customer])
    request.session.save()
    client.cookies["sessionid"] = request.session.session_key

    page = client.get(url(shop_a.shop)).content.decode()
    assert "Order 31313" in page and "42424" not in page
    assert 'value="aino@example.fi"' in page

    refused = client.post(url(shop_a.shop), form(order=someone_elses.pk, topic="order"))
    assert refused.status_code == 400 and not Ticket.objects.exists()
    client.post(url(shop_a.shop), form(order=own.pk, topic="order"))
    ticket = Ticket.objects.get()
    assert ticket.order == own and ticket.customer == customer


def test_a_filled_honeypot_pretends_success_and_stores_nothing(client, shop_a):
    response = client.post(url(shop_a.shop), form(website="http://spam.example"))
    assert response.status_code == 302
    assert not Ticket.objects.exists()


def test_too_many_messages_from_one_address_wait(client, shop_a):
    for number in range(5):
        assert client.post(url(shop_a.shop), form(subject=f"Q{number}")).status_code == 302
    refused = client.post(url(shop_a.shop), form(subject="Q6"))
    assert refused.status_code == 429
    assert "Wait an hour" in refused.content.decode()
    assert Ticket.objects.count() == 5


def test_a_file_of_another_kind_is_refused_by_name(client, shop_a):
    bad = SimpleUploadedFile("invoice.exe", b"MZ\x90\x00", content_type="application/pdf")
    response = client.post(url(shop_a.shop), {**form(), "attachments": [bad]})
    assert response.status_code == 400
    assert "invoice.exe is not a picture" in response.content.decode()
    assert not Ticket.objects.exists()


def test_missing_fields_are_named(client, shop_a):
    response = client.post(url(shop_a.shop), form(email="not-an-address", message=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html and "This field is required." in html


def test_suggestions_come_from_the_shops_own_articles(client, shop_a, shop_b):
    make_article(shop_a.shop)
    make_article(
        shop_b.shop,
        texts={
            "en": __import__("aftersale.service.help.services", fromlist=["Text"]).Text(
                "Return secrets of Saaristo", "Return only for Saaristo."
            )
        },
    )
    response = client.get(
        url(shop_a.shop, "portal:contact_suggestions"),
        {"subject": "return", "message": "How do I return an item?"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert "How do I return an item?" in html
    assert "Saaristo" not in html


def test_an_unknown_shop_is_a_404(client):
    assert client.get("/s/no-such-shop/contact/").status_code == 404
