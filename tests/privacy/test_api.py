"""The API's export and erasure of a customer, scoped to the token's shop."""

from __future__ import annotations

import io
import json
import zipfile

from aftersale.orders.models import Customer
from aftersale.privacy.models import AuditAction, AuditEntry
from tests.factories import CustomerFactory


def test_it_exports_the_customer_as_a_zip(api, rich_customer, shop_a):
    response = api(shop_a.shop).get("/customers/crm-zyxwell/export")

    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    document = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    assert document["customers"][0]["records"]["orders.Order"]["rows"]
    entry = AuditEntry.objects.get(action=AuditAction.CUSTOMER_EXPORTED)
    assert entry.actor_name.startswith("API token test") and entry.client_address


def test_it_erases_the_customer_once(api, rich_customer, shop_a):
    client = api(shop_a.shop)
    first = client.post("/customers/crm-zyxwell/erase", {"confirm": True})

    assert first.status_code == 200, first.content
    assert first.json()["state"] == "done" and first.json()["rows_changed"]["orders.Order"] == 2
    assert Customer.objects.get(pk=rich_customer.customer.pk).email == ""
    # The customer's id is now erased-<n>: the old id is no longer known.
    assert client.post("/customers/crm-zyxwell/erase", {"confirm": True}).status_code == 404


def test_another_shop_s_token_gets_404_even_with_the_same_e_mail(api, shop_a, shop_b):
    CustomerFactory(shop=shop_b.shop, external_id="c-1", email="same@example.fi")
    CustomerFactory(shop=shop_a.shop, external_id="c-2", email="same@example.fi")
    client = api(shop_a.shop)

    assert client.get("/customers/c-1/export").status_code == 404
    assert client.post("/customers/c-1/erase", {"confirm": True}).status_code == 404
    assert Customer.objects.get(external_id="c-1").email == "same@example.fi"
    assert not AuditEntry.objects.filter(action=AuditAction.CUSTOMER_EXPORTED).exists()


def test_token_use_is_audited_once_a_minute(api, shop_a):
    client = api(shop_a.shop)
    client.get("/customers")
    client.get("/orders")

    entries = AuditEntry.objects.filter(action=AuditAction.API_TOKEN_USED)
    assert [e.detail for e in entries] == ["GET /api/v1/customers"]
    assert entries[0].client_address == "127.0.0.1"


def test_erasure_needs_an_explicit_confirmation(api, shop_a):
    CustomerFactory(shop=shop_a.shop, external_id="c-9", email="keep@example.fi")
    client = api(shop_a.shop)

    for body in ({}, {"confirm": False}):
        response = client.post("/customers/c-9/erase", body)
        assert response.status_code == 422 and "confirm" in response.content.decode()
    assert Customer.objects.get(external_id="c-9").email == "keep@example.fi"
