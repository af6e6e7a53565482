"""The customer page's export and erasure, the privacy settings and the audit log pages."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from aftersale.orders.models import Customer
from aftersale.privacy.models import AuditAction, AuditEntry, Erasure
from aftersale.privacy.services import update_privacy_settings
from tests.factories import CustomerFactory


def export_url(customer):
    return reverse("backoffice:export_customer", kwargs={"customer_id": customer.pk})


def erase_url(customer):
    return reverse("backoffice:erase_customer", kwargs={"customer_id": customer.pk})


def test_the_owner_downloads_a_customer_s_data(login, rich_customer, shop_a):
    response = login(shop_a.owner).post(export_url(rich_customer.customer))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    document = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    assert document["customers"][0]["customer"] == "crm-zyxwell"
    entry = AuditEntry.objects.get(action=AuditAction.CUSTOMER_EXPORTED)
    assert entry.actor == shop_a.owner and entry.client_address == "127.0.0.1"


def test_staff_export_only_when_the_owner_allows_it(login, shop_a):
    customer = CustomerFactory(shop=shop_a.shop)
    client = login(shop_a.staff)
    assert client.post(export_url(customer)).status_code == 403

    update_privacy_settings(shop_a.shop, staff_may_export=True)
    assert client.post(export_url(customer)).status_code == 200


def test_only_owners_erase(login, shop_a):
    customer = CustomerFactory(shop=shop_a.shop)
    response = login(shop_a.staff).post(erase_url(customer), {"confirm": "ERASE"})
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).email


def test_the_owner_erases_after_typing_erase(login, shop_a, rich_customer):
    customer = rich_customer.customer
    client = login(shop_a.owner)
    page = client.get(erase_url(customer))
    assert page.status_code == 200 and b"accounting" in page.content

    refused = client.post(erase_url(customer), {"confirm": "yes"})
    assert refused.status_code == 400 and b"Type ERASE" in refused.content
    assert not Erasure.objects.exists()

    done = client.post(erase_url(customer), {"confirm": "ERASE"}, follow=True)
    assert done.status_code == 200 and b"data-erased" in done.content
    assert Customer.objects.get(pk=customer.pk).email == ""


@pytest.mark.parametrize("method, url_of", [("post", export_url), ("post", erase_url)])
def test_another_shop_s_customer_is_a_404_even_with_the_same_e_mail(
    login, shop_a, shop_b, method, url_of
):
    theirs = CustomerFactory(shop=shop_b.shop, email="same@example.fi")
    CustomerFactory(shop=shop_a.shop, email="same@example.fi")

    response = getattr(login(shop_a.owner), method)(url_of(theirs), {"confirm": "ERASE"})

    assert response.status_code == 404
    assert Customer.objects.get(pk=theirs.pk).email == "same@example.fi"
    assert not AuditEntry.objects.filter(action=AuditAction.CUSTOMER_EXPORTED).exists()


def test_viewing_a_customer_is_audited(login, shop_a):
    customer = CustomerFactory(shop=shop_a.shop)
    login(shop_a.staff).get(reverse("backoffice:customer_detail", args=[customer.pk]))

    entry = AuditEntry.objects.get(action=AuditAction.CUSTOMER_VIEWED)
    assert (entry.actor, entry.subject_id) == (shop_a.staff, str(customer.pk))


def test_the_erasure_page_points_to_other_records_with_the_same_address(login, shop_a, shop_b):
    customer = CustomerFactory(shop=shop_a.shop, email="twice@example.fi")
    twin = CustomerFactory(shop=shop_a.shop, email="TWICE@example.fi", external_id="twin-1")
    CustomerFactory(shop=shop_b.shop, email="twice@example.fi", external_id="foreign-1")

    page = login(shop_a.owner).get(erase_url(customer))

    assert b'id="same-address"' in page.content and b"twin-1" in page.content
    assert b"foreign-1" not in page.content
    assert reverse("backoffice:customer_detail", args=[twin.pk]).encode() in page.content
