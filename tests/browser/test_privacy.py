"""In a real Chromium: a customer asks the portal for a copy of their data, opens the link the
e-mail brings, confirms and downloads the archive; a customer asks the portal to erase their
data and confirms by the e-mailed link; an owner erases a customer in the back-office."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from aftersale.orders.models import Customer
from aftersale.privacy.models import AuditAction, AuditEntry
from tests.factories import CustomerFactory, OrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _setup(settings, live_server):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = live_server.url
    from django.core.cache import cache

    cache.clear()


def test_a_customer_requests_confirms_and_downloads_their_data(page, live_server, shop_a, smtp):
    shop = shop_a.shop
    customer = CustomerFactory(shop=shop, email="aino.privacy@example.fi", first_name="Aino")
    OrderFactory(shop=shop, customer=customer, number="81234")

    page.goto(f"{live_server.url}/s/{shop.slug}/")
    page.get_by_role("link", name="Get a copy of your data").click()
    page.get_by_label("E-mail address").fill("aino.privacy@example.fi")
    page.get_by_role("button", name="Send me the link").click()
    page.get_by_text("we have sent a link there").wait_for()

    assert smtp.arrived.wait(30)
    mail = smtp.to("aino.privacy@example.fi")[-1]
    link = re.search(r"(http://\S+/my-data/\S+/)", mail.text).group(1)
    page.goto(link)
    page.get_by_text("Confirm that you want a copy").wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Confirm and download").click()
    download = download_info.value

    with open(download.path(), "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    document = json.loads(archive.read("data.json"))
    records = document["customers"][0]["records"]
    assert records["orders.Customer"]["rows"][0]["email"] == "aino.privacy@example.fi"
    assert records["orders.Order"]["rows"][0]["number"] == "81234"
    assert "summary.html" in archive.namelist()
    assert AuditEntry.objects.filter(action=AuditAction.CUSTOMER_EXPORTED).exists()


def test_an_owner_erases_a_customer_in_the_back_office(page, live_server, shop_a, sign_in):
    customer = CustomerFactory(shop=shop_a.shop, email="erase.me@example.fi", first_name="Eero")
    OrderFactory(shop=shop_a.shop, customer=customer)

    sign_in(page, shop_a.owner)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.get_by_role("link", name="Erase this customer…").click()
    page.get_by_label("Type ERASE to confirm").fill("erase")
    page.get_by_role("button", name="Erase the customer's personal data").click()
    page.get_by_text("Type ERASE in capitals").wait_for()
    page.get_by_label("Type ERASE to confirm").fill("ERASE")
    page.get_by_role("button", name="Erase the customer's personal data").click()
    page.get_by_text("The customer's personal data has been erased").wait_for()

    assert page.locator("[data-erased]").is_visible()
    erased = Customer.objects.get(pk=customer.pk)
    assert (erased.email, erased.first_name) == ("", "")
    assert erased.orders.count() == 1


def test_a_customer_erases_their_data_from_the_portal(page, live_server, shop_a, smtp):
    shop = shop_a.shop
    customer = CustomerFactory(shop=shop, email="ilmari.erase@example.fi", first_name="Ilmari")
    order = OrderFactory(shop=shop, customer=customer, number="81235")

    page.goto(f"{live_server.url}/s/{shop.slug}/my-data/")
    page.get_by_role("link", name="Erase my data").click()
    page.get_by_label("E-mail address").fill("ilmari.erase@example.fi")
    page.get_by_role("button", name="Send me the erasure link").click()
    page.get_by_text("we have sent a link there").wait_for()

    assert smtp.arrived.wait(30)
    mail = smtp.to("ilmari.erase@example.fi")[-1]
    link = re.search(r"(http://\S+/my-data/erase/\S+/)", mail.text).group(1)
    page.goto(link)
    page.get_by_text("What will be erased").wait_for()
    assert page.get_by_text("What the shop must keep by law").is_visible()
    page.get_by_role("button", name="Erase my data").click()
    page.get_by_role("heading", name="Your data has been erased").wait_for()

    erased = Customer.objects.get(pk=customer.pk)
    assert (erased.email, erased.first_name) == ("", "")
    assert erased.orders.count() == 1
    entry = AuditEntry.objects.get(action=AuditAction.CUSTOMER_ERASED)
    assert entry.actor_name == "customer (portal)"

    page.goto(link)
    page.get_by_text("This link has already been used").wait_for()

    page.goto(f"{live_server.url}/s/{shop.slug}/")
    page.locator("#lookup-number").fill(order.number)
    page.locator("#lookup-email").fill("ilmari.erase@example.fi")
    page.locator("#lookup-number").press("Enter")
    page.get_by_text("We could not find an order with that number and e-mail address").wait_for()
    assert "/orders/" not in page.url
