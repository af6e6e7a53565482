"""The acknowledgement on a durable medium: an e-mail through a real SMTP server with a PDF copy
of what was withdrawn, when, and the next steps; re-sent by the worker if sending failed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersale.returns import withdrawals
from aftersale.timeline.models import Event
from tests.withdrawals.fixtures import delivered_order, helsinki, pdf_text

pytestmark = pytest.mark.django_db

NOW = helsinki(2026, 11, 10, 9, 15)


@pytest.fixture
def order(shop_a):
    shop_a.shop.address = "Pohjola Style Oy\nAleksanterinkatu 5\n00100 Helsinki"
    shop_a.shop.contact_email = "asiakaspalvelu@pohjola.example"
    shop_a.shop.save()
    return delivered_order(shop_a.shop, email="aino@example.fi", lines=2)


def test_it_emails_the_acknowledgement_with_a_pdf_at_once(
    shop_a, order, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        withdrawal = withdrawals.notify_withdrawal(shop_a.shop, order, language="en", now=NOW)

    assert len(smtp.messages) == 1
    mail = smtp.messages[0].message
    assert mail["To"] == "aino@example.fi"
    assert mail["Reply-To"] == "asiakaspalvelu@pohjola.example"
    assert f"withdrawal from order {order.number}" in mail["Subject"]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "10 November 2026 09:15:00" in body or "Nov. 10, 2026 09:15:00" in body
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    text = pdf_text(attachment.get_content())
    for expected in (
        "Pohjola Style",
        "Aleksanterinkatu 5",
        f"Order {order.number}",
        "Merino shirt M",
        "Wool socks 0",
        "09:15:00",
        "Refund due by",
        "withhold the refund",
    ):
        assert expected in text, expected

    withdrawal.refresh_from_db()
    assert withdrawal.acknowledged_at is not None
    assert mail["Message-ID"] == withdrawal.acknowledgement_message_id
    assert Event.objects.filter(type="withdrawal.acknowledged", subject_id=withdrawal.pk).exists()


def test_it_writes_the_acknowledgement_in_the_customers_language(
    shop_a, order, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        withdrawals.notify_withdrawal(shop_a.shop, order, language="fi", now=NOW)
    mail = smtp.messages[0].message
    assert (
        mail["Subject"]
        == f"Pohjola Style: olemme vastaanottaneet tilauksen {order.number} perumisen"
    )
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename().startswith("peruutus-")
    text = pdf_text(attachment.get_content())
    assert "Peruutuksen vahvistus" in text and "Hyvitys viimeistään" in text


def test_it_retries_an_acknowledgement_the_server_refused(
    shop_a, order, smtp, django_capture_on_commit_callbacks
):
    smtp.refuse = True
    with django_capture_on_commit_callbacks(execute=True):
        withdrawal = withdrawals.notify_withdrawal(shop_a.shop, order, now=NOW)
    withdrawal.refresh_from_db()
    assert withdrawal.acknowledged_at is None
    assert withdrawal.acknowledgement_attempts == 1
    assert "451" in withdrawal.acknowledgement_error

    smtp.refuse = False
    a_minute_later = NOW + timedelta(minutes=1)
    assert withdrawals.resend_unsent_acknowledgements(now=a_minute_later) == 1
    assert withdrawals.resend_unsent_acknowledgements(now=a_minute_later) == 0
    withdrawal.refresh_from_db()
    assert withdrawal.acknowledged_at is not None
    assert len(smtp.messages) == 1


def test_the_worker_has_the_retry_and_unclaimed_jobs():
    from aftersale.core.worker import registered_jobs

    names = {job.name for job in registered_jobs()}
    assert {"returns.resend_withdrawal_acknowledgements", "returns.open_unclaimed_cases"} <= names
