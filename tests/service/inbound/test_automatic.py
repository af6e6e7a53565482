"""Auto-replies, out-of-office, bounces and list mail are recognised (RFC 3834, RFC 3464)."""

from __future__ import annotations

import pytest

from aftersale.service.inbound.automatic import Automatic, automatic_kind
from aftersale.service.inbound.message import parse_message
from tests.service.inbound.mails import customer_mail, delivery_report, out_of_office


def kind(message, **envelope):
    raw = message if isinstance(message, bytes) else message.as_bytes()
    return automatic_kind(parse_message(raw, **envelope))


def test_a_person_s_mail_is_not_automatic():
    assert kind(customer_mail(headers={"Auto-Submitted": "no"})) is None
    assert kind(customer_mail(subject="Out of office? No, I need help")) is None


def test_an_out_of_office_reply_is_recognised():
    assert kind(out_of_office()) == Automatic.OUT_OF_OFFICE
    exchange = customer_mail(
        subject="Automatic reply: Your order", headers={"X-Auto-Response-Suppress": "All"}
    )
    assert kind(exchange) == Automatic.OUT_OF_OFFICE


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-generated"},
        {"Auto-Submitted": "auto-replied; owner-email=x@example.fi"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Thank you"},
        {"Precedence": "auto_reply"},
    ],
)
def test_auto_replies_are_recognised(headers):
    assert kind(customer_mail(subject="Re: Your order", headers=headers)) == Automatic.AUTO_REPLY


@pytest.mark.parametrize(
    "headers",
    [
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "list"},
        {"List-Id": "<news.example.fi>"},
        {"List-Unsubscribe": "<mailto:unsubscribe@example.fi>"},
    ],
)
def test_list_and_bulk_mail_is_recognised(headers):
    assert kind(customer_mail(headers=headers)) == Automatic.LIST


def test_bounces_are_recognised():
    assert kind(delivery_report()) == Automatic.BOUNCE
    assert kind(customer_mail(), envelope_sender="") == Automatic.BOUNCE
    assert kind(customer_mail(sender="MAILER-DAEMON@mx.example.fi", name="")) == Automatic.BOUNCE
    assert kind(customer_mail(sender="postmaster@example.fi", name="")) == Automatic.BOUNCE
