"""Staff replies reach the customer through a real SMTP server, threaded and retried."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from aftersale.service import mail_identity, services
from aftersale.service.models import Delivery
from aftersale.service.replies import send_pending_replies
from tests.service.helpers import open_ticket


def test_a_reply_reaches_the_customer_with_a_signed_reply_address(shop_a, smtp, settings):
    settings.SUPPORT_REPLY_ADDRESS = "support@help.pohjola.fi"
    ticket = open_ticket(shop_a.shop, source="email", email_message_id="<q1@mail.example>")
    services.add_note(ticket, author=shop_a.staff, body="Secret: she is a VIP")
    reply = services.reply(ticket, author=shop_a.staff, body="Your parcel left today.")

    assert send_pending_replies() == 1
    [mail] = smtp.to("aino@example.fi")
    assert mail.subject == f"[#{ticket.number}] Vs: Wrong size"  # the ticket is in Finnish
    assert mail.header("Message-ID") == reply.email_message_id
    assert mail.header("In-Reply-To") == "<q1@mail.example>"
    assert mail.header("Reply-To") == mail_identity.reply_to_address(ticket)
    assert "Your parcel left today." in mail.text
    assert "VIP" not in mail.message.as_string() and "too small" not in mail.text
    assert mail_identity.ticket_for_token(shop_a.shop, mail.header("Reply-To")) == ticket
    ids = [mail.header("Message-ID")]
    assert mail_identity.ticket_for_message_ids(shop_a.shop, ids) == ticket
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT and reply.send_attempts == 1
    assert send_pending_replies() == 0  # sent once


def test_a_temporary_failure_is_retried_later(shop_a, smtp):
    ticket = open_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Hello")
    smtp.refuse = True
    assert send_pending_replies() == 0
    reply.refresh_from_db()
    assert reply.delivery == Delivery.RETRYING and "451" in reply.last_error
    smtp.refuse = False
    assert send_pending_replies() == 0  # not due yet
    assert send_pending_replies(timezone.now() + timedelta(minutes=2)) == 1
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT and reply.last_error == ""
    assert len(smtp.to("aino@example.fi")) == 1


def test_a_mailbox_that_does_not_exist_fails_at_once(shop_a, smtp):
    smtp.rcpt_replies["aino@example.fi"] = "550 5.1.1 No such user"
    ticket = open_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Hello")
    send_pending_replies()
    reply.refresh_from_db()
    assert reply.delivery == Delivery.FAILED and "5.1.1" in reply.last_error
    assert reply.next_attempt_at is None


def test_a_greylisted_reply_is_retried_and_delivered_once(shop_a, smtp):
    """A server that greylists (451 at RCPT TO on the first try) gets the reply on the retry,
    with the same Message-ID, and the customer receives it once."""
    smtp.greylist = True
    ticket = open_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Your refund is on its way.")
    assert send_pending_replies() == 0
    reply.refresh_from_db()
    assert reply.delivery == Delivery.RETRYING and "4.7.1" in reply.last_error
    assert smtp.to("aino@example.fi") == []
    assert send_pending_replies(timezone.now() + timedelta(minutes=2)) == 1
    [mail] = smtp.to("aino@example.fi")
    assert mail.header("Message-ID") == reply.email_message_id
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT and reply.send_attempts == 2
