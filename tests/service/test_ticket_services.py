"""Opening tickets and customers writing again: numbering, threading state, events, files."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from aftersale.service import services
from aftersale.service.attachments import MAX_BYTES, Upload
from aftersale.service.models import Ticket, TicketMessage, TicketState
from aftersale.timeline.models import Event
from tests.factories import CustomerFactory, OrderFactory
from tests.service.helpers import open_ticket as open_one

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_it_numbers_tickets_per_shop(shop_a, shop_b):
    first = open_one(shop_a.shop)
    second = open_one(shop_a.shop)
    other = open_one(shop_b.shop)
    assert (first.number, second.number, other.number) == (1, 2, 1)


def test_it_opens_a_new_ticket_with_the_first_message_and_an_event(shop_a):
    customer = CustomerFactory(shop=shop_a.shop, email="Aino@Example.fi", language="sv")
    ticket = open_one(shop_a.shop)
    assert ticket.state == TicketState.NEW
    assert ticket.customer == customer  # matched by e-mail, ignoring case
    assert ticket.language == "sv"
    assert ticket.waiting_since is not None
    [message] = ticket.messages.all()
    assert message.kind == TicketMessage.Kind.CUSTOMER
    assert message.body == "The shoes are too small."
    event = Event.objects.for_shop(shop_a.shop).get(type="ticket.opened")
    assert (event.customer, event.subject_id, event.payload["number"]) == (customer, ticket.pk, 1)


def test_it_keeps_the_order_only_if_it_is_the_customers(shop_a, shop_b):
    customer = CustomerFactory(shop=shop_a.shop)
    own = OrderFactory(shop=shop_a.shop, customer=customer)
    ticket = open_one(shop_a.shop, customer=customer, order=own, topic="order")
    assert ticket.order == own
    someone_elses = OrderFactory(shop=shop_a.shop)
    with pytest.raises(ValidationError) as error:
        open_one(shop_a.shop, customer=customer, order=someone_elses)
    assert "order" in error.value.message_dict
    with pytest.raises(ValidationError):
        open_one(shop_a.shop, order=OrderFactory(shop=shop_b.shop))
    assert Ticket.objects.for_shop(shop_a.shop).count() == 1


def test_it_refuses_an_empty_message_and_an_unknown_topic(shop_a):
    with pytest.raises(ValidationError) as error:
        open_one(shop_a.shop, body="   ")
    assert "body" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        open_one(shop_a.shop, topic="weather")
    assert "topic" in error.value.message_dict
    assert not Ticket.objects.exists()


def test_a_replayed_email_opens_nothing_new(shop_a):
    first = open_one(shop_a.shop, source="email", email_message_id="<abc@mail.example>")
    again = open_one(shop_a.shop, source="email", email_message_id="<abc@mail.example>")
    assert again.pk == first.pk
    assert TicketMessage.objects.count() == 1
    assert Event.objects.filter(type="ticket.opened").count() == 1


def test_it_stores_checked_attachments(shop_a):
    ticket = open_one(shop_a.shop, attachments=[Upload("photo.png", "image/png", PNG)])
    [attachment] = ticket.messages.get().attachments.all()
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "photo.png",
        "image/png",
        len(PNG),
    )
    assert attachment.file.read() == PNG
    assert "photo" not in attachment.file.name  # random name on disk


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (Upload("virus.exe", "application/pdf", b"MZ\x90\x00"), "virus.exe is not a picture"),
        (Upload("big.png", "image/png", PNG + b"\x00" * MAX_BYTES), "big.png is larger"),
        (Upload("x.png", "application/x-msdownload", PNG), "x.png is not a picture"),
    ],
)
def test_it_refuses_attachments_of_other_kinds_or_too_large(shop_a, upload, words):
    with pytest.raises(ValidationError) as error:
        open_one(shop_a.shop, attachments=[upload])
    assert words in error.value.messages[0]
    assert not Ticket.objects.exists()


def test_a_customer_message_reopens_a_waiting_or_solved_ticket(shop_a):
    ticket = open_one(shop_a.shop)
    for state in (TicketState.WAITING, TicketState.SOLVED, TicketState.SNOOZED):
        Ticket.objects.filter(pk=ticket.pk).update(state=state, waiting_since=None)
        message = services.add_customer_message(ticket, body="Any news?")
        ticket.refresh_from_db()
        assert ticket.state == TicketState.OPEN
        assert ticket.waiting_since == message.created_at or ticket.waiting_since is not None
    assert Event.objects.filter(type="ticket.reopened").count() == 3
    assert Event.objects.filter(type="ticket.customer_replied").count() == 3


def test_a_customer_message_to_a_merged_ticket_joins_the_one_it_was_merged_into(shop_a):
    target = open_one(shop_a.shop)
    merged = open_one(shop_a.shop)
    Ticket.objects.filter(pk=merged.pk).update(state=TicketState.MERGED, merged_into=target)
    message = services.add_customer_message(merged, body="Hello again")
    assert message.ticket_id == target.pk


def test_a_replayed_customer_message_is_stored_once(shop_a):
    ticket = open_one(shop_a.shop)
    first = services.add_customer_message(ticket, body="Again", email_message_id="<r@x>")
    second = services.add_customer_message(ticket, body="Again", email_message_id="<r@x>")
    assert first.pk == second.pk
    assert ticket.messages.count() == 2


def test_the_reply_is_due_in_business_hours_across_a_weekend_and_closed_days(shop_a):
    # Default hours Mon-Fri 9-17 in Helsinki, first reply within 8 business hours. The shop is
    # closed on Monday 7 December; Tuesday 8 December is an ordinary day.
    services.add_closed_day(shop_a.shop, date(2026, 12, 7), "Inventory")
    with time_machine.travel("2026-12-04T14:00:00Z", tick=False):  # Friday 16:00 in Helsinki
        ticket = open_one(shop_a.shop)
    # 1 h on Friday (16-17), nothing at the weekend or on Monday, 7 h on Tuesday: 16:00 local.
    assert ticket.reply_due_at.astimezone(UTC) == datetime(2026, 12, 8, 14, 0, tzinfo=UTC)
    with time_machine.travel("2026-12-08T08:00:00Z", tick=False):
        services.reply(ticket, author=shop_a.staff, body="On it.")
    ticket.refresh_from_db()
    assert ticket.reply_due_at is None and ticket.resolve_due_at is not None
