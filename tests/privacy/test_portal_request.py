"""A customer asks for their data in the portal and confirms through a link sent by e-mail."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

from aftersale.privacy.models import AuditAction, AuditEntry
from tests.factories import CustomerFactory

LINK = re.compile(r"https://aftersale\.example(/s/[^\s]+/my-data/[^\s]+/)")


def ask(client, shop, email):
    return client.post(f"/s/{shop.slug}/my-data/", {"email": email}, follow=True)


def link_in(mail) -> str:
    return LINK.search(mail.text).group(1)


def test_the_customer_confirms_by_the_e_mailed_link_and_downloads(client, rich_customer, smtp):
    shop = rich_customer.customer.shop
    sent_before = len(smtp)

    page = ask(client, shop, "ZYXWELL.quorn@example.fi")
    assert page.status_code == 200 and b"we have sent a link" in page.content

    assert len(smtp) == sent_before + 1
    mail = smtp.messages[-1]
    assert mail.rcpt_tos == ["zyxwell.quorn@example.fi"]
    assert "Pohjola Style" in mail.subject
    path = link_in(mail)
    confirm = client.get(path)
    assert confirm.status_code == 200 and b"download-my-data" in confirm.content
    assert not AuditEntry.objects.filter(action=AuditAction.CUSTOMER_EXPORTED).exists()

    download = client.post(path)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    document = json.loads(zipfile.ZipFile(io.BytesIO(download.content)).read("data.json"))
    assert document["customers"][0]["records"]["orders.Customer"]["rows"][0]["first_name"] == (
        "Zyxwell"
    )
    entry = AuditEntry.objects.get(action=AuditAction.CUSTOMER_EXPORTED)
    assert entry.actor_name == "customer (portal)"


def test_the_link_expires_after_an_hour(client, rich_customer, smtp, clock):
    shop = rich_customer.customer.shop
    ask(client, shop, "zyxwell.quorn@example.fi")
    path = link_in(smtp.messages[-1])

    clock.shift(timedelta(minutes=61))

    assert client.get(path).status_code == 410
    assert client.post(path).status_code == 410


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, shop_a, smtp):
    page = ask(client, shop_a.shop, "nobody@example.fi")

    assert page.status_code == 200 and b"we have sent a link" in page.content
    assert len(smtp) == 0


def test_a_link_of_one_shop_never_opens_another_shop_s_data(client, shop_a, shop_b, smtp):
    CustomerFactory(shop=shop_a.shop, email="same@example.fi")
    CustomerFactory(shop=shop_b.shop, email="same@example.fi", first_name="OtherShopPerson")
    ask(client, shop_a.shop, "same@example.fi")
    path = link_in(smtp.messages[-1])

    foreign = path.replace(f"/s/{shop_a.shop.slug}/", f"/s/{shop_b.shop.slug}/")
    assert client.get(foreign).status_code == 410
    download = client.post(path)
    assert b"OtherShopPerson" not in zipfile.ZipFile(io.BytesIO(download.content)).read("data.json")


def test_a_tampered_link_is_refused(client, rich_customer):
    shop = rich_customer.customer.shop
    assert client.get(f"/s/{shop.slug}/my-data/not-a-token/").status_code == 410
