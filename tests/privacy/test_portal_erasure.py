"""A customer asks the portal to erase their data and confirms through a link sent by e-mail."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.cache import cache
from django.test import Client

from aftersale.orders.models import Customer, Order
from aftersale.portal.access import LINKS_PER_EMAIL
from aftersale.portal.export_links import export_link_path
from aftersale.privacy.models import AuditAction, AuditEntry, Erasure
from aftersale.privacy.services import update_privacy_settings
from tests.factories import CustomerFactory, OrderFactory

LINK = re.compile(r"https://aftersale\.example(/s/[^\s]+/my-data/erase/[^\s]+/)")
EMAIL = "zyxwell.quorn@example.fi"


def ask(client, shop, email, **extra):
    return client.post(f"/s/{shop.slug}/my-data/erase/", {"email": email}, follow=True, **extra)


def link_in(mail) -> str:
    return LINK.search(mail.text).group(1)


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def test_the_my_data_page_offers_erasure_beside_the_copy(client, shop_a):
    page = client.get(f"/s/{shop_a.shop.slug}/my-data/")

    assert f'href="/s/{shop_a.shop.slug}/my-data/erase/"'.encode() in page.content
    form = client.get(f"/s/{shop_a.shop.slug}/my-data/erase/")
    assert form.status_code == 200 and b'name="email"' in form.content


def test_the_customer_confirms_the_erasure_by_the_e_mailed_link(client, rich_customer, smtp):
    customer = rich_customer.customer
    shop = customer.shop
    orders = Order.objects.for_shop(shop).filter(customer=customer).count()

    page = ask(client, shop, "ZYXWELL.quorn@example.fi")
    assert page.status_code == 200 and b"we have sent a link" in page.content
    mail = smtp.messages[-1]
    assert mail.rcpt_tos == [EMAIL]
    assert "erase" in mail.subject and "Pohjola Style" in mail.subject
    path = link_in(mail)

    confirm = client.get(path)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "What will be erased" in text and "What the shop must keep by law" in text
    assert "for 6 years" in text and 'id="erase-my-data"' in text
    assert not Erasure.objects.exists()
    assert Customer.objects.get(pk=customer.pk).email == EMAIL

    receipt = client.post(path)
    assert receipt.status_code == 200 and b"Your data has been erased" in receipt.content
    erased = Customer.objects.get(pk=customer.pk)
    assert (erased.email, erased.first_name, erased.phone) == ("", "", "")
    assert Order.objects.for_shop(shop).filter(customer=customer).count() == orders
    erasure = Erasure.objects.get(customer=customer)
    assert (erasure.state, erasure.source) == (Erasure.State.DONE, "portal")
    entry = AuditEntry.objects.get(action=AuditAction.CUSTOMER_ERASED)
    assert entry.actor_name == "customer (portal)" and entry.actor is None
    assert entry.shop_id == shop.pk


def test_the_page_names_the_shop_s_own_accounting_period(client, rich_customer, smtp):
    shop = rich_customer.customer.shop
    update_privacy_settings(shop, accounting_years=10)
    ask(client, shop, EMAIL)

    assert "for 10 years" in client.get(link_in(smtp.messages[-1])).content.decode()


def test_a_link_used_twice_says_so(client, rich_customer, smtp):
    shop = rich_customer.customer.shop
    ask(client, shop, EMAIL)
    path = link_in(smtp.messages[-1])
    client.post(path)

    again = client.post(path)
    assert again.status_code == 410 and b"already been used" in again.content
    assert client.get(path).status_code == 410
    assert Erasure.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.CUSTOMER_ERASED).count() == 1


def test_the_link_expires_after_an_hour(client, rich_customer, smtp, clock):
    shop = rich_customer.customer.shop
    ask(client, shop, EMAIL)
    path = link_in(smtp.messages[-1])

    clock.shift(timedelta(minutes=61))

    page = client.post(path)
    assert page.status_code == 410 and b"This link has expired" in page.content
    assert client.get(path).status_code == 410
    assert Customer.objects.get(pk=rich_customer.customer.pk).email == EMAIL
    assert not Erasure.objects.exists()


def test_an_export_link_never_confirms_an_erasure_nor_the_other_way(client, shop_a, smtp):
    shop = shop_a.shop
    customer = CustomerFactory(shop=shop, email="both@example.fi")
    export_token = token_of(export_link_path(shop, "both@example.fi"))

    as_erasure = client.post(f"/s/{shop.slug}/my-data/erase/{export_token}/")
    assert as_erasure.status_code == 410
    assert Customer.objects.get(pk=customer.pk).email == "both@example.fi"

    ask(client, shop, "both@example.fi")
    erasure_token = token_of(link_in(smtp.messages[-1]))
    as_export = client.post(f"/s/{shop.slug}/my-data/{erasure_token}/")
    assert as_export.status_code == 410 and as_export["Content-Type"].startswith("text/html")
    assert not Erasure.objects.exists()


def test_the_same_address_at_another_shop_is_never_erased(client, shop_a, shop_b, smtp):
    mine = CustomerFactory(shop=shop_a.shop, email="same@example.fi")
    OrderFactory(shop=shop_a.shop, customer=mine)
    theirs = CustomerFactory(shop=shop_b.shop, email="same@example.fi", first_name="Other")
    OrderFactory(shop=shop_b.shop, customer=theirs)
    ask(client, shop_a.shop, "same@example.fi")
    path = link_in(smtp.messages[-1])

    foreign = path.replace(f"/s/{shop_a.shop.slug}/", f"/s/{shop_b.shop.slug}/")
    assert client.get(foreign).status_code == 410
    assert client.post(foreign).status_code == 410
    assert client.post(path).status_code == 200

    assert Customer.objects.get(pk=mine.pk).email == ""
    other = Customer.objects.get(pk=theirs.pk)
    assert (other.email, other.first_name) == ("same@example.fi", "Other")
    assert not Erasure.objects.filter(shop=shop_b.shop).exists()
    assert not AuditEntry.objects.filter(shop=shop_b.shop).exists()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, shop_a, smtp):
    page = ask(client, shop_a.shop, "nobody@example.fi")

    assert page.status_code == 200 and b"we have sent a link" in page.content
    assert len(smtp) == 0


def test_a_bad_address_is_named(client, shop_a):
    page = client.post(f"/s/{shop_a.shop.slug}/my-data/erase/", {"email": "not-an-address"})

    assert page.status_code == 400 and b"e-mail" in page.content.lower()


def test_a_tampered_link_is_refused(client, shop_a):
    assert client.get(f"/s/{shop_a.shop.slug}/my-data/erase/not-a-token/").status_code == 410


def test_requests_are_rate_limited_like_the_copy(client, shop_a, smtp):
    cache.clear()
    CustomerFactory(shop=shop_a.shop, email="many@example.fi")
    for n in range(LINKS_PER_EMAIL):
        ask(client, shop_a.shop, "many@example.fi", REMOTE_ADDR=f"192.0.2.{n}")

    refused = ask(client, shop_a.shop, "many@example.fi", REMOTE_ADDR="192.0.2.200")
    assert refused.status_code == 429 and b"Too many attempts" in refused.content
    assert len(smtp) == LINKS_PER_EMAIL


def test_confirming_needs_the_csrf_token(client, shop_a, smtp):
    customer = CustomerFactory(shop=shop_a.shop, email="csrf@example.fi")
    ask(client, shop_a.shop, "csrf@example.fi")
    path = link_in(smtp.messages[-1])
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(path).status_code == 200

    assert browser.post(path).status_code == 403
    assert Customer.objects.get(pk=customer.pk).email == "csrf@example.fi"
