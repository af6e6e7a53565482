"""Export: everything held about one customer as JSON and a readable summary, with the photos."""

from __future__ import annotations

import io
import json
import zipfile

from aftersale.privacy.models import AuditAction, AuditEntry
from aftersale.privacy.services import export_customers


def open_archive(data: bytes) -> tuple[dict, str, list[str]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    document = json.loads(archive.read("data.json"))
    summary = archive.read("summary.html").decode()
    return document, summary, archive.namelist()


def test_it_exports_every_app_s_records_of_the_customer(rich_customer, shop_a):
    data = export_customers(shop_a.shop, [rich_customer.customer], actor=shop_a.owner)

    document, summary, names = open_archive(data)
    records = document["customers"][0]["records"]
    assert records["orders.Customer"]["rows"][0]["email"] == "zyxwell.quorn@example.fi"
    assert {row["number"] for row in records["orders.Order"]["rows"]} == {"70001", "70002"}
    for key in (
        "orders.OrderLine",
        "orders.Payment",
        "orders.Refund",
        "delivery.Shipment",
        "delivery.TrackingEvent",
        "returns.ReturnRequest",
        "returns.ReturnLine",
        "returns.ReturnPhoto",
        "returns.Withdrawal",
        "returns.StoreCredit",
        "flows.Message",
        "flows.Consent",
        "timeline.Event",
        "insights.CustomerValue",
    ):
        assert records[key]["rows"], key
        assert records[key]["description"]
    message = records["flows.Message"]["rows"][0]
    assert "unsubscribe_token" not in message and message["body"]
    assert "tracking_token" not in records["delivery.Shipment"]["rows"][0]
    assert "summary.css" in names
    photo_files = [name for name in names if name.startswith("files/returns.ReturnPhoto-")]
    assert len(photo_files) == 1 and photo_files[0].endswith(".png")


def test_the_summary_is_in_the_customer_s_language(rich_customer, shop_a):
    data = export_customers(shop_a.shop, [rich_customer.customer])

    _document, summary, _names = open_archive(data)
    assert 'lang="sv"' in summary
    assert "Zyxwell" in summary and "70001" in summary
    assert "Dina uppgifter hos Pohjola Style" in summary
    assert "<style" not in summary and 'href="summary.css"' in summary


def test_each_export_is_in_the_audit_log(rich_customer, shop_a):
    export_customers(
        shop_a.shop, [rich_customer.customer], actor=shop_a.owner, client_address="203.0.113.9"
    )

    entry = AuditEntry.objects.get(action=AuditAction.CUSTOMER_EXPORTED)
    assert entry.actor == shop_a.owner and entry.client_address == "203.0.113.9"
    assert entry.subject_id == str(rich_customer.customer.pk)


def test_a_staff_reply_s_e_mail_is_exported_and_erased_with_the_customer(rich_customer, shop_a):
    from aftersale.flows.models import Message
    from aftersale.privacy.services import erase_customer
    from aftersale.service.models import Ticket
    from aftersale.service.services import reply

    ticket = Ticket.objects.get(customer=rich_customer.customer)
    answer = reply(ticket, author=shop_a.staff, body="Zyxwell, your refund is on its way")
    data = export_customers(shop_a.shop, [rich_customer.customer])

    document, _summary, _names = open_archive(data)
    rows = document["customers"][0]["records"]["flows.Message"]["rows"]
    [row] = [row for row in rows if row["body"] == "Zyxwell, your refund is on its way"]
    assert row["kind"] == "transactional" and row["recipient"] == "zyxwell.quorn@example.fi"
    assert "headers" not in row  # the ticket's signed reply address stays out

    erase_customer(shop_a.shop, rich_customer.customer)
    assert not Message.objects.filter(pk=answer.outbox_message_id).exists()
