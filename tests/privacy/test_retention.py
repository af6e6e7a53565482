"""Retention rules per shop: a preview of what goes, and the nightly run that removes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from aftersale.core.worker import registered_jobs
from aftersale.delivery.models import TrackingEvent
from aftersale.flows.models import Message
from aftersale.orders.models import Customer, Order, Payment
from aftersale.privacy.retention import apply_retention, months_before, preview_retention
from aftersale.privacy.services import erase_customer, update_privacy_settings
from aftersale.returns.models import ReturnPhoto
from aftersale.service.models import Ticket, TicketAttachment, TicketState


def counts(shop):
    return {row["key"]: row["count"] for row in preview_retention(shop, None, timezone.now())}


def test_nothing_is_due_while_the_data_is_young(rich_customer, shop_a):
    assert counts(shop_a.shop) == {
        "message_bodies": 0,
        "return_photos": 0,
        "tracking_events": 0,
        "delivery_addresses": 0,
        "tickets": 0,
        "accounting_records": 0,
    }


def test_the_preview_counts_what_the_run_then_removes(rich_customer, shop_a, clock):
    shop = shop_a.shop
    clock.shift(timedelta(days=800))  # past 24 months of messages and deliveries, 90 days photos
    preview = counts(shop)
    assert preview["message_bodies"] >= 1
    assert preview["return_photos"] == 1
    assert preview["tracking_events"] == 1
    assert preview["delivery_addresses"] == 2
    assert preview["accounting_records"] == 0  # the customer is not erased

    photo_path = rich_customer.photo.file.path
    done = apply_retention(shop)

    assert {key: done.get(key, 0) for key in preview} == preview
    assert not Message.objects.exclude(body="").exists()
    assert not ReturnPhoto.objects.exists()
    assert not __import__("os").path.exists(photo_path)
    assert not TrackingEvent.objects.exists()
    assert set(Order.objects.values_list("ship_street", flat=True)) == {""}
    assert Order.objects.count() == 2  # orders themselves are accounting records
    assert set(counts(shop).values()) == {0}  # the next run has nothing left


def test_a_rule_left_empty_keeps_that_data(rich_customer, shop_a, clock):
    shop = shop_a.shop
    update_privacy_settings(shop, message_body_months=None, return_photo_days=None)
    clock.shift(timedelta(days=800))

    assert counts(shop)["message_bodies"] is None
    apply_retention(shop)
    assert Message.objects.exclude(body="").exists() and ReturnPhoto.objects.exists()


def test_accounting_records_of_erased_customers_go_after_the_accounting_period(
    rich_customer, shop_a, clock
):
    shop = shop_a.shop
    erase_customer(shop, rich_customer.customer)
    clock.shift(timedelta(days=365 * 6 - 30))
    assert counts(shop)["accounting_records"] == 0  # 6 years from the orders not yet passed

    clock.shift(timedelta(days=60))
    assert counts(shop)["accounting_records"] == 2
    apply_retention(shop)
    assert not Order.objects.exists() and not Payment.objects.exists()
    assert not Customer.objects.filter(pk=rich_customer.customer.pk).exists()


def test_solved_tickets_go_after_the_ticket_years(rich_customer, shop_a, clock):
    shop = shop_a.shop
    ticket = Ticket.objects.for_shop(shop).get()
    attachment_path = TicketAttachment.objects.get().file.path
    clock.shift(timedelta(days=365 * 3 + 30))
    assert counts(shop)["tickets"] == 0  # an unsolved ticket is kept however old
    Ticket.objects.filter(pk=ticket.pk).update(state=TicketState.SOLVED)  # untouched since
    assert counts(shop)["tickets"] == 1
    update_privacy_settings(shop, ticket_years=None)
    assert counts(shop)["tickets"] is None
    update_privacy_settings(shop, ticket_years=3)

    apply_retention(shop)
    assert not Ticket.objects.exists() and not TicketAttachment.objects.exists()
    assert not __import__("os").path.exists(attachment_path)


def test_the_settings_page_shows_the_preview(login, rich_customer, shop_a, clock):
    clock.shift(timedelta(days=800))
    page = login(shop_a.owner).get(reverse("backoffice:privacy_settings"))

    assert page.status_code == 200
    assert b'data-rule="return_photos"><td>Photos of closed returns</td><td class="num">1' in (
        page.content
    )
    assert login(shop_a.staff).get(reverse("backoffice:privacy_settings")).status_code == 403


def test_it_runs_nightly():
    job = {job.name: job for job in registered_jobs()}["privacy.retention"]
    assert job.every == timedelta(hours=24)


def test_months_are_calendar_months():
    moment = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    assert months_before(moment, 1) == moment.replace(month=2, day=28)
    assert months_before(moment, 24) == moment.replace(year=2024)
