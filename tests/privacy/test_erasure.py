"""Erasure: personal data removed or anonymised in every app; accounting records kept."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.db import models
from django.db.models import Sum

from aftersale.flows.models import FlowRun, Message, StepRun
from aftersale.insights.models import CustomerValue
from aftersale.orders.models import Customer, Order, OrderLine, Payment, Refund
from aftersale.privacy.models import AuditAction, AuditEntry, ErasedAddress, Erasure
from aftersale.privacy.services import erase_customer
from aftersale.returns.models import ReturnPhoto, ReturnRequest
from aftersale.timeline import types
from aftersale.timeline.services import record_event
from tests.factories import CustomerFactory, OrderFactory
from tests.flows.conftest import worker_pass
from tests.privacy.conftest import make_rich_customer

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def scan_every_table(needles: list[str]) -> list[str]:
    """Every (table.column, value) in the whole database that contains one of ``needles``."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        columns = [f.attname for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not columns:
            continue
        for row in model._base_manager.values_list(*columns):
            for column, value in zip(columns, row, strict=True):
                text = str(value).lower()
                for needle in needles:
                    if needle.lower() in text:
                        found.append(f"{model._meta.db_table}.{column}: {value!r}")
    return found


def test_after_erasure_no_table_holds_the_customer_s_personal_data(rich_customer, shop_a):
    assert scan_every_table(rich_customer.needles)  # the scan does find them before

    erase_customer(shop_a.shop, rich_customer.customer, actor=shop_a.owner)

    assert scan_every_table(rich_customer.needles) == []


def test_accounting_records_remain_and_balance(rich_customer, shop_a):
    shop = shop_a.shop
    before = {
        "orders": Order.objects.for_shop(shop).aggregate(t=Sum("total_cents"))["t"],
        "lines": OrderLine.objects.for_shop(shop).aggregate(t=Sum("total_cents"))["t"],
        "payments": Payment.objects.for_shop(shop).aggregate(t=Sum("amount_cents"))["t"],
        "refunds": Refund.objects.for_shop(shop).aggregate(t=Sum("amount_cents"))["t"],
    }

    erase_customer(shop, rich_customer.customer)

    orders = Order.objects.for_shop(shop)
    assert sorted(orders.values_list("number", flat=True)) == ["70001", "70002"]
    assert orders.aggregate(t=Sum("total_cents"))["t"] == before["orders"]
    assert OrderLine.objects.for_shop(shop).aggregate(t=Sum("total_cents"))["t"] == before["lines"]
    paid = Payment.objects.for_shop(shop).aggregate(t=Sum("amount_cents"))["t"]
    refunded = Refund.objects.for_shop(shop).aggregate(t=Sum("amount_cents"))["t"]
    assert (paid, refunded) == (before["payments"], before["refunds"])
    assert paid == before["orders"]  # every order is still paid in full
    assert ReturnRequest.objects.for_shop(shop).get().refunds.get().amount_cents == refunded
    customer = Customer.objects.get(pk=rich_customer.customer.pk)
    assert (customer.email, customer.first_name, customer.external_id) == (
        "",
        "",
        f"erased-{customer.pk}",
    )


def test_photos_messages_and_running_flows_are_gone(rich_customer, shop_a, smtp, clock):
    photo_path = rich_customer.photo.file.path
    sent_before = len(smtp)
    assert StepRun.objects.filter(state=StepRun.State.PENDING).exists()

    erase_customer(shop_a.shop, rich_customer.customer)

    assert not ReturnPhoto.objects.exists()
    assert not __import__("os").path.exists(photo_path)
    assert not Message.objects.exists() and not FlowRun.objects.exists()
    assert not CustomerValue.objects.exists()
    clock.shift(timedelta(days=8))
    worker_pass()
    assert len(smtp) == sent_before  # the waiting "Later" e-mail is never sent


def test_an_erased_address_is_never_e_mailed_again(rich_customer, shop_a, smtp, clock):
    shop = shop_a.shop
    erase_customer(shop, rich_customer.customer)
    assert ErasedAddress.objects.for_shop(shop).count() == 2  # e-mail and phone, as hashes
    sent_before = len(smtp)

    # The shop sends the same person again as a new customer.
    again = CustomerFactory(shop=shop, email="Zyxwell.Quorn@Example.fi ", marketing_consent=True)
    order = OrderFactory(shop=shop, customer=again)
    record_event(shop, types.ORDER_PLACED, subject=order, customer=again)
    worker_pass()
    clock.shift(timedelta(days=8))
    worker_pass()

    assert len(smtp) == sent_before
    reasons = set(StepRun.objects.filter(run__customer=again).values_list("skip_reason", flat=True))
    assert "suppressed: erased customer" in reasons


def test_erasure_is_idempotent_logged_and_audited(rich_customer, shop_a):
    shop = shop_a.shop
    first = erase_customer(shop, rich_customer.customer, actor=shop_a.owner)
    second = erase_customer(shop, rich_customer.customer, actor=shop_a.owner)

    assert first.pk == second.pk and second.state == Erasure.State.DONE
    assert first.counts["flows.FlowRun"] >= 1 and first.counts["orders.Order"] == 2
    assert AuditEntry.objects.filter(action=AuditAction.CUSTOMER_ERASED).count() == 1


def test_erasure_works_in_bounded_chunks(rich_customer, shop_a, monkeypatch):
    from aftersale.privacy import services

    monkeypatch.setattr(services, "CHUNK", 1)
    erasure = erase_customer(shop_a.shop, rich_customer.customer)

    assert erasure.counts["orders.Order"] == 2
    assert scan_every_table(rich_customer.needles) == []


def test_another_shop_s_customer_with_the_same_e_mail_is_untouched(
    rich_customer, shop_a, shop_b, smtp
):
    other = make_rich_customer(shop_b.shop)

    erase_customer(shop_a.shop, rich_customer.customer)

    other.customer.refresh_from_db()
    assert other.customer.email == "zyxwell.quorn@example.fi"
    assert Message.objects.filter(shop=shop_b.shop).exists()
    assert ReturnPhoto.objects.filter(shop=shop_b.shop).exists()


def test_a_customer_of_another_shop_cannot_be_erased(rich_customer, shop_b):
    import pytest

    with pytest.raises(ValueError):
        erase_customer(shop_b.shop, rich_customer.customer)
    assert Customer.objects.get(pk=rich_customer.customer.pk).email


def test_analytics_are_recomputed_without_the_person(
    rich_customer, shop_a, django_capture_on_commit_callbacks
):
    from aftersale.insights.models import ShopInsight

    with django_capture_on_commit_callbacks(execute=True):
        erase_customer(shop_a.shop, rich_customer.customer)

    insight = ShopInsight.objects.for_shop(shop_a.shop).latest()
    assert insight.status == ShopInsight.Status.DONE
    assert not CustomerValue.objects.filter(customer=rich_customer.customer).exists()
    assert scan_every_table(rich_customer.needles) == []
