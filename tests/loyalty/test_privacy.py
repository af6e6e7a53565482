"""A customer's points in their data export; an erasure blanks the ledger's reasons but keeps
the amounts the shop's liability and reconciliation need."""

from __future__ import annotations

import io
import json
import zipfile

from aftersale.loyalty import selectors, services
from aftersale.loyalty.models import LedgerEntry
from aftersale.privacy.services import erase_customer, export_customers
from tests.factories import CustomerFactory


def test_the_export_has_the_ledger_and_the_erasure_keeps_the_amounts(programme, shop_a, clock):
    customer = CustomerFactory(shop=programme)
    services.adjust(
        programme, customer, points=40, reason="Aino phoned about a late parcel", staff_user=None
    )
    archive = zipfile.ZipFile(io.BytesIO(export_customers(programme, [customer])))
    data = json.loads(archive.read("data.json"))
    text = json.dumps(data, ensure_ascii=False)
    assert "Aino phoned about a late parcel" in text
    assert "loyalty.LedgerEntry" in text and "loyalty.CustomerPoints" in text

    erase_customer(programme, customer, actor=shop_a.owner)
    entry = LedgerEntry.objects.get(customer=customer)
    assert (entry.points, entry.reason) == (40, "")
    assert selectors.balance(programme, customer).available == 40
    assert selectors.ledger_sums(programme, customer) == (40, 0)
