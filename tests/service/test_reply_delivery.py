"""Staff replies leave through the outbox (flows.Message, sent by flows/direct.py) and reach
the customer through a real SMTP server, threaded, retried and shown on the ticket."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from aftersale.flows import channels, direct
from aftersale.flows.direct import send_due_messages
from aftersale.flows.models import Kind, Message, Suppression
from aftersale.flows.scheduler import run_due_steps
from aftersale.flows.services import record_tracking
from aftersale.service import mail_identity, services
from aftersale.service.models import TicketMessage
from tests.factories import CustomerFactory
from tests.service.helpers import open_ticket


def outbox_of(reply: TicketMessage) -> Message:
    reply.refresh_from_db()
    return Message.objects.get(pk=reply.outbox_message_id)


def test_a_reply_reaches_the_customer_with_a_signed_reply_address(shop_a, smtp, settings):
    settings.SUPPORT_REPLY_ADDRESS = "support@help.pohjola.fi"
    ticket = open_ticket(shop_a.shop, source="email", email_message_id="<q1@mail.example>")
    services.add_note(ticket, author=shop_a.staff, body="Secret: she is a VIP")
    reply = services.reply(ticket, author=shop_a.staff, body="Your parcel left today.")

    assert send_due_messages() == 1
    [mail] = smtp.to("aino@example.fi")
    assert mail.subject == f"[#{ticket.number}] Vs: Wrong size"  # the ticket is in Finnish
    assert mail.header("Message-ID") == reply.email_message_id
    assert mail.header("In-Reply-To") == "<q1@mail.example>"
    assert mail.header("Reply-To") == mail_identity.reply_to_address(ticket)
    assert "Your parcel left today." in mail.text
    assert "Your parcel left today." in mail.message.get_body(("html",)).get_content()
    assert "VIP" not in mail.message.as_string() and "too small" not in mail.text
    assert mail_identity.ticket_for_token(shop_a.shop, mail.header("Reply-To")) == ticket
    ids = [mail.header("Message-ID")]
    assert mail_identity.ticket_for_message_ids(shop_a.shop, ids) == ticket
    outbox = outbox_of(reply)
    assert outbox.state == Message.State.SENT and outbox.send_attempts == 1
    assert outbox.provider_id == reply.email_message_id  # what bounce reports name
    assert send_due_messages() == 0  # sent once


def test_a_reply_is_one_transactional_outbox_message_outside_flows(shop_a):
    customer = CustomerFactory(shop=shop_a.shop, email="aino@example.fi")
    ticket = open_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Hello")
    [outbox] = Message.objects.all()
    assert reply.outbox_message == outbox and reply.delivery == Message.State.PENDING
    assert outbox.kind == Kind.TRANSACTIONAL and outbox.channel == "email"
    assert outbox.run is None and outbox.step is None and outbox.customer == customer
    assert (outbox.shop, outbox.recipient, outbox.body) == (shop_a.shop, "aino@example.fi", "Hello")

    services.change_state(ticket, "closed", actor=shop_a.staff)
    with pytest.raises(Exception, match="closed"):
        services.reply(ticket, author=shop_a.staff, body="Refused with its e-mail")
    assert Message.objects.count() == 1  # nothing written when the reply is refused


def test_a_reply_to_a_ticket_without_a_customer_is_sent(shop_a, smtp):
    ticket = open_ticket(shop_a.shop, email="stranger@example.fi")
    assert ticket.customer is None
    reply = services.reply(ticket, author=shop_a.staff, body="Who are you?")
    assert send_due_messages() == 1
    assert len(smtp.to("stranger@example.fi")) == 1
    outbox = outbox_of(reply)
    assert outbox.customer is None and outbox.state == Message.State.SENT


def test_a_temporary_failure_is_retried_later(shop_a, smtp):
    ticket = open_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Hello")
    smtp.refuse = True
    assert send_due_messages() == 0
    outbox = outbox_of(reply)
    assert outbox.state == Message.State.RETRYING and "451" in outbox.last_error
    assert outbox.failure_class == Message.FailureClass.TEMPORARY
    smtp.refuse = False
    assert send_due_messages() == 0  # not due yet
    assert send_due_messages(timezone.now() + timedelta(minutes=2)) == 1
    outbox = outbox_of(reply)
    assert outbox.state == Message.State.SENT and outbox.last_error == ""
    assert len(smtp.to("aino@example.fi")) == 1


def test_a_mailbox_that_does_not_exist_fails_at_once_and_shows_on_the_ticket(shop_a, smtp, login):
    smtp.rcpt_replies["aino@example.fi"] = "550 5.1.1 No such user"
    ticket = open_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Hello")
    send_due_messages()
    outbox = outbox_of(reply)
    assert outbox.state == Message.State.BOUNCED and "5.1.1" in outbox.last_error
    assert outbox.next_attempt_at is None and outbox.failed_at is not None
    assert Suppression.objects.filter(address="aino@example.fi").exists()
    page = login(shop_a.staff).get(reverse("backoffice:ticket_detail", args=[ticket.pk]))
    text = page.content.decode()
    assert 'data-delivery="bounced"' in text and "5.1.1 No such user" in text


def test_staff_send_a_failed_reply_again_from_the_ticket(shop_a, smtp, login):
    smtp.rcpt_replies["aino@example.fi"] = "554 5.7.1 Message refused"
    ticket = open_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Hello")
    send_due_messages()
    assert outbox_of(reply).state == Message.State.FAILED
    client = login(shop_a.staff)
    page = client.get(reverse("backoffice:ticket_detail", args=[ticket.pk])).content.decode()
    assert 'data-delivery="failed"' in page and "5.7.1 Message refused" in page

    del smtp.rcpt_replies["aino@example.fi"]
    retry = reverse("backoffice:ticket_reply_retry", args=[ticket.pk, reply.pk])
    assert client.post(retry).status_code == 302
    assert send_due_messages() == 1
    [mail] = smtp.to("aino@example.fi")
    assert mail.header("Message-ID") == reply.email_message_id
    assert outbox_of(reply).state == Message.State.SENT
    page = client.get(reverse("backoffice:ticket_detail", args=[ticket.pk])).content.decode()
    assert 'data-delivery="sent"' in page and "Message refused" not in page


def test_a_greylisted_reply_is_retried_and_delivered_once(shop_a, smtp):
    """A server that greylists (451 at RCPT TO on the first try) gets the reply on the retry,
    with the same Message-ID, and the customer receives it once."""
    smtp.greylist = True
    ticket = open_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Your refund is on its way.")
    assert send_due_messages() == 0
    outbox = outbox_of(reply)
    assert outbox.state == Message.State.RETRYING and "4.7.1" in outbox.last_error
    assert smtp.to("aino@example.fi") == []
    later = timezone.now() + timedelta(minutes=2)
    assert send_due_messages(later) == 1
    assert send_due_messages(later + timedelta(hours=1)) == 0
    [mail] = smtp.to("aino@example.fi")
    assert mail.header("Message-ID") == reply.email_message_id
    outbox = outbox_of(reply)
    assert outbox.state == Message.State.SENT and outbox.send_attempts == 2


def test_a_providers_bounce_report_finds_the_reply_by_its_message_id(shop_a, smtp, login):
    ticket = open_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Hello")
    send_due_messages()
    found = record_tracking(
        event_type="bounced",
        message_id=reply.email_message_id,
        recipient="aino@example.fi",
        description="mailbox full for good",
    )
    assert found == 1 and outbox_of(reply).state == Message.State.BOUNCED
    page = login(shop_a.staff).get(reverse("backoffice:ticket_detail", args=[ticket.pk]))
    assert 'data-delivery="bounced"' in page.content.decode()


def test_the_flows_scheduler_leaves_replies_to_their_own_loop(shop_a, smtp):
    ticket = open_ticket(shop_a.shop)
    services.reply(ticket, author=shop_a.staff, body="Hello")
    run_due_steps()
    assert smtp.messages == []
    assert send_due_messages() == 1 and len(smtp.to("aino@example.fi")) == 1


def test_a_claimed_reply_is_not_claimed_again_until_its_lease_passes(shop_a, smtp):
    ticket = open_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Hello")
    now = timezone.now()
    _token, first = direct.claim(now)
    assert [m.pk for m in first] == [reply.outbox_message_id]
    assert direct.claim(now)[1] == []  # a second worker finds nothing to send
    assert send_due_messages(now) == 0
    # The first worker died after claiming: after the lease it is sent (by the next claim).
    assert send_due_messages(now + direct.lease() + timedelta(seconds=1)) == 1
    assert len(smtp.to("aino@example.fi")) == 1


def test_a_batch_past_its_sending_window_goes_back_unsent_and_due(shop_a, smtp):
    """A worker starts no send late in its lease (a slow server could otherwise still be
    answering when another worker takes the message over): the rest goes back, due now."""
    ticket = open_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Hello")
    token, batch = direct.claim(timezone.now())
    mailer = channels.Mailer()
    try:
        assert direct.send_batch(mailer, token, batch, send_until=timezone.now()) == 0
    finally:
        mailer.close()
    outbox = outbox_of(reply)
    assert outbox.state == Message.State.PENDING and outbox.send_attempts == 0
    assert outbox.next_attempt_at <= timezone.now() and smtp.messages == []
    assert send_due_messages() == 1 and len(smtp.to("aino@example.fi")) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_reply_once(shop_a, smtp, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("two workers at once need PostgreSQL")
    monkeypatch.setattr(direct, "BATCH", 2)
    smtp.delay = 0.01
    for number in range(8):
        ticket = open_ticket(shop_a.shop, email=f"c{number}@example.fi")
        services.reply(ticket, author=shop_a.staff, body="Hello")
    errors: list[BaseException] = []

    def work() -> None:
        try:
            send_due_messages()
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    ids = [mail.header("Message-ID") for mail in smtp.messages]
    assert len(ids) == 8 and len(set(ids)) == 8
    assert Message.objects.filter(state=Message.State.SENT, send_attempts=1).count() == 8


def test_the_messages_list_shows_the_reply_and_only_to_its_own_shop(shop_a, shop_b, smtp, login):
    smtp.rcpt_replies["aino@example.fi"] = "554 5.7.1 Message refused"
    ticket = open_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Hello from Pohjola")
    send_due_messages()
    ticket_url = reverse("backoffice:ticket_detail", args=[ticket.pk])
    message_url = reverse("backoffice:flow_message", args=[reply.outbox_message_id])
    client = login(shop_a.staff)
    for url in (
        reverse("backoffice:flow_messages"),
        reverse("backoffice:flow_dead_letters"),
        message_url,
    ):
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert f"Ticket #{ticket.number} reply" in text, url
        assert "Message refused" in text or url == reverse("backoffice:flow_messages")
    for url in (reverse("backoffice:flow_messages"), message_url):
        assert ticket_url in client.get(url).content.decode()

    other = login(shop_b.staff)
    assert other.get(message_url).status_code == 404
    for url in (reverse("backoffice:flow_messages"), reverse("backoffice:flow_dead_letters")):
        assert "Wrong size" not in other.get(url).content.decode()
        assert f"Ticket #{ticket.number} reply" not in other.get(url).content.decode()
    retry = reverse("backoffice:flow_message_retry", args=[reply.outbox_message_id])
    assert other.post(retry).status_code == 404
    assert outbox_of(reply).state == Message.State.FAILED
