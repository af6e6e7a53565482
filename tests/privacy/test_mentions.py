"""Rows with no foreign key to a customer that still name them in their text — the API's stored
answers to Idempotency-Keys, the integration log, queued background tasks, the admin's change
log, a job's last error — are exported and erased with the customer, and expire on their own."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aftersale.api.models import IdempotentRequest, InboundWebhook
from aftersale.api.services import forget_expired, log_inbound_webhook
from aftersale.core.models import JobRun
from aftersale.core.worker import registered_jobs
from aftersale.orders.models import Customer
from aftersale.portal.tasks import send_magic_link
from aftersale.privacy.retention import forget_finished_tasks
from aftersale.privacy.services import erase_customer, export_customers
from tests.privacy.test_erasure import scan_every_table

EXTERNAL_ID = "crm-zyxwell"


def mention_the_customer_everywhere(shop, customer, api, settings, owner):
    """The shop's platform sends the customer again with an Idempotency-Key and by webhook, the
    customer asks for a sign-in link (a queued task), staff edit them in the admin site, and
    a job fails on their address."""
    response = api(shop).post(
        "/customers",
        {
            "external_id": EXTERNAL_ID,
            "email": "zyxwell.quorn@example.fi",
            "first_name": "Zyxwell",
            "last_name": "Quornström",
        },
        headers={"HTTP_IDEMPOTENCY_KEY": "sync-7"},
    )
    assert response.status_code == 200, response.content
    log_inbound_webhook(
        shop,
        source="shopify",
        topic="customers/update",
        outcome=InboundWebhook.Outcome.REFUSED,
        external_id=EXTERNAL_ID,
        detail="/email: zyxwell.quorn@example.fi is not valid",
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    send_magic_link.enqueue(shop_id=shop.pk, email="zyxwell.quorn@example.fi", language="fi")
    LogEntry.objects.log_actions(
        user_id=owner.pk, queryset=[customer], action_flag=CHANGE, change_message="[]"
    )
    JobRun.objects.create(
        name="returns.resend_withdrawal_acknowledgements",
        last_error="SMTPRecipientsRefused: zyxwell.quorn@example.fi",
    )


def test_erasure_removes_what_names_the_customer_without_a_foreign_key(
    rich_customer, shop_a, api, settings
):
    shop, customer = shop_a.shop, rich_customer.customer
    mention_the_customer_everywhere(shop, customer, api, settings, shop_a.owner)
    assert IdempotentRequest.objects.get().body.count(EXTERNAL_ID) == 1
    assert DBTaskResult.objects.filter(args_kwargs__icontains="zyxwell.quorn").exists()
    needles = rich_customer.needles
    assert len(scan_every_table(needles)) > 10

    erasure = erase_customer(shop, Customer.objects.get(pk=customer.pk))

    assert scan_every_table(needles) == []
    assert not IdempotentRequest.objects.exists()
    assert not InboundWebhook.objects.exists()
    assert not DBTaskResult.objects.exists()  # the sign-in link is never sent
    assert LogEntry.objects.get().object_repr == f"customer {customer.pk}"
    assert JobRun.objects.get().last_error == ""
    assert erasure.counts["api.IdempotentRequest"] == 1
    assert erasure.counts["django_tasks_database.DBTaskResult"] == 1


def test_rows_naming_someone_else_stay(rich_customer, shop_a, shop_b, api, settings):
    shop = shop_a.shop
    api(shop).post("/customers", {"external_id": "crm-zyxwell-2", "email": "other@example.fi"})
    api(shop).post(
        "/customers",
        {"external_id": "crm-zyxwell-2", "email": "other@example.fi"},
        headers={"HTTP_IDEMPOTENCY_KEY": "other"},
    )
    api(shop_b.shop).post(
        "/customers",
        {"external_id": EXTERNAL_ID, "email": "zyxwell.quorn@example.fi"},
        headers={"HTTP_IDEMPOTENCY_KEY": "sync-7"},
    )

    erase_customer(shop, rich_customer.customer)

    assert sorted(IdempotentRequest.objects.values_list("shop", "key")) == sorted(
        [(shop.pk, "other"), (shop_b.shop.pk, "sync-7")]
    )


def test_the_export_has_the_stored_answers_that_name_the_customer(
    rich_customer, shop_a, api, settings
):
    shop = shop_a.shop
    mention_the_customer_everywhere(shop, rich_customer.customer, api, settings, shop_a.owner)

    archive = export_customers(shop, [Customer.objects.get(pk=rich_customer.customer.pk)])

    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        data = json.loads(zipped.read("data.json"))
    text = json.dumps(data)
    assert "api.IdempotentRequest" in text and "sync-7" in text
    assert "django_tasks_database.DBTaskResult" in text


def test_stored_answers_and_the_integration_log_expire_for_every_shop(shop_a, shop_b, api):
    api(shop_a.shop).post(
        "/customers", {"external_id": "c-9", "email": "c9@example.fi"},
        headers={"HTTP_IDEMPOTENCY_KEY": "k"},
    )  # fmt: skip
    log_inbound_webhook(shop_b.shop, source="shopify", topic="orders/create", outcome="stored")

    assert forget_expired(timezone.now() + timedelta(hours=23)) == {
        "idempotency answers": 0,
        "inbound webhooks": 0,
    }
    assert forget_expired(timezone.now() + timedelta(days=31)) == {
        "idempotency answers": 1,
        "inbound webhooks": 1,
    }
    jobs = {job.name: job for job in registered_jobs()}
    assert jobs["api.forget_expired"].every == timedelta(hours=1)


def test_finished_background_tasks_are_forgotten_after_two_weeks(shop_a, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    send_magic_link.enqueue(shop_id=shop_a.shop.pk, email="done@example.fi", language="fi")
    send_magic_link.enqueue(shop_id=shop_a.shop.pk, email="queued@example.fi", language="fi")
    finished = DBTaskResult.objects.filter(args_kwargs__icontains="done@")
    finished.update(status="SUCCESSFUL", finished_at=timezone.now())

    assert forget_finished_tasks(timezone.now() + timedelta(days=13)) == 0
    assert forget_finished_tasks(timezone.now() + timedelta(days=15)) == 1
    assert list(DBTaskResult.objects.values_list("args_kwargs__kwargs__email", flat=True)) == [
        "queued@example.fi"
    ]
    jobs = {job.name: job for job in registered_jobs()}
    assert jobs["privacy.finished_tasks"].every == timedelta(days=1)
