"""The audit log: who did what, when and from where; owners read and export it; append-only."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from aftersale.privacy.admin import AuditEntryAdmin
from aftersale.privacy.audit import Acting, acting, record_access
from aftersale.privacy.models import AppendOnly, AuditAction, AuditEntry
from tests.factories import PASSWORD, CustomerFactory, MembershipFactory, RefundFactory


def test_a_staff_sign_in_is_recorded_in_each_of_their_shops(client, shop_a, shop_b):
    MembershipFactory(shop=shop_b.shop, user=shop_a.staff)

    response = client.post(
        reverse("backoffice:login"),
        {"username": "a-staff", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 302
    entries = AuditEntry.objects.filter(action=AuditAction.SIGNED_IN)
    assert {e.shop for e in entries} == {shop_a.shop, shop_b.shop}
    assert {(e.actor, e.client_address) for e in entries} == {(shop_a.staff, "198.51.100.7")}


def test_a_settings_change_records_who_and_from_where(login, shop_a):
    client = login(shop_a.owner)
    response = client.post(
        reverse("backoffice:privacy_settings"),
        {
            "accounting_years": 7,
            "financial_year_end_month": 12,
            "financial_year_end_day": 31,
            "message_body_months": 12,
            "return_photo_days": 30,
        },
        REMOTE_ADDR="203.0.113.5",
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert (entry.actor, entry.client_address, entry.shop) == (
        shop_a.owner,
        "203.0.113.5",
        shop_a.shop,
    )


def test_a_refund_recorded_by_a_person_names_them(shop_a):
    token = acting.set(Acting(client_address="192.0.2.1", user=shop_a.staff))
    try:
        refund = RefundFactory(order__shop=shop_a.shop, amount_cents=1250)
    finally:
        acting.reset(token)

    entry = AuditEntry.objects.get(action=AuditAction.REFUND)
    assert entry.actor == shop_a.staff and entry.client_address == "192.0.2.1"
    assert entry.subject_id == str(refund.pk) and "12.50 EUR" in entry.detail


def test_entries_cannot_be_changed_or_deleted(shop_a):
    entry = record_access(shop_a.shop, AuditAction.CUSTOMER_VIEWED, actor=shop_a.owner)

    entry.detail = "rewritten"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="rewritten")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_the_admin_shows_entries_read_only(shop_a):
    request = RequestFactory().get("/")
    request.user = shop_a.owner
    admin = AuditEntryAdmin(AuditEntry, site)
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request)
    assert not admin.has_delete_permission(request)


def test_owners_read_their_shop_s_log_only(login, shop_a, shop_b):
    customer = CustomerFactory(shop=shop_a.shop)
    record_access(shop_a.shop, AuditAction.CUSTOMER_VIEWED, actor=shop_a.staff, subject=customer)
    record_access(shop_b.shop, AuditAction.CUSTOMER_VIEWED, actor=shop_b.staff, actor_name="b-x")

    page = login(shop_a.owner).get(reverse("backoffice:audit_log"))

    assert page.status_code == 200
    assert b"a-staff" in page.content and b"b-x" not in page.content
    assert login(shop_a.staff).get(reverse("backoffice:audit_log")).status_code == 403


def test_owners_export_the_log_as_csv(login, shop_a, shop_b):
    record_access(shop_a.shop, AuditAction.CUSTOMER_ERASED, actor=shop_a.owner, detail="=cmd()")
    record_access(shop_b.shop, AuditAction.CUSTOMER_ERASED, actor=shop_b.owner)

    response = login(shop_a.owner).get(reverse("backoffice:audit_log_csv"))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["at", "who", "action"]
    assert ["a-owner", "customer_erased"] in [row[1:3] for row in rows[1:]]
    assert {row[1] for row in rows[1:]} == {"a-owner"}  # nothing of shop B
    assert "'=cmd()" in [row[5] for row in rows]  # never run as a spreadsheet formula
    assert AuditEntry.objects.filter(action=AuditAction.AUDIT_EXPORTED, shop=shop_a.shop).exists()
    assert login(shop_a.staff).get(reverse("backoffice:audit_log_csv")).status_code == 403


def test_a_refund_made_in_the_back_office_is_audited(login, shop_a, smtp):
    from aftersale.returns.models import UnclaimedCase
    from aftersale.returns.unclaimed import open_unclaimed_case
    from tests.factories import ShipmentFactory
    from tests.withdrawals.fixtures import delivered_order

    order = delivered_order(shop_a.shop, lines=1, delivered_at=None)
    shipment = ShipmentFactory(order=order, status="returned_to_sender")
    case = open_unclaimed_case(shop_a.shop, shipment)
    assert isinstance(case, UnclaimedCase)

    login(shop_a.owner).post(
        f"/withdrawals/unclaimed/cases/{case.pk}/refund/", REMOTE_ADDR="198.51.100.23"
    )

    entry = AuditEntry.objects.get(action=AuditAction.REFUND)
    assert (entry.actor, entry.client_address) == (shop_a.owner, "198.51.100.23")
    assert entry.subject_type == "refund"


def test_an_entry_keeps_a_nul_from_the_request_path_as_a_replacement_character(shop_a):
    """A path such as /api/v1/orders/a%00b reached the log: PostgreSQL refuses NUL in text,
    and the API answered 500 instead of 404."""
    entry = record_access(
        shop_a.shop, AuditAction.API_TOKEN_USED, actor_name="API token x", detail="GET /a\x00b"
    )
    entry.refresh_from_db()
    assert entry.detail == "GET /a\N{REPLACEMENT CHARACTER}b"
