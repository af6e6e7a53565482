"""Staff's work on a ticket: replies, notes, states, snoozing, assignment, tags, merging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from aftersale.flows.models import Kind, Message
from aftersale.service import services
from aftersale.service.models import Ticket, TicketMessage, TicketState
from aftersale.timeline.models import Event
from tests.service.helpers import open_ticket


def test_a_reply_waits_on_the_customer_and_counts_the_first_response(shop_a):
    ticket = open_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Send them back, we swap them.")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.WAITING
    assert ticket.first_response_at == reply.created_at or ticket.first_response_at
    assert ticket.waiting_since is None
    assert ticket.assignee == shop_a.staff  # the first to answer takes it
    assert reply.delivery == Message.State.PENDING
    assert reply.outbox_message.recipient == "aino@example.fi"
    assert reply.outbox_message.kind == Kind.TRANSACTIONAL
    assert reply.email_message_id.startswith("<as-")
    event = Event.objects.get(type="ticket.answered")
    assert event.payload["first_response"] is True and event.payload["agent"] == shop_a.staff.pk
    first = ticket.first_response_at
    services.reply(ticket, author=shop_a.owner, body="Any luck?")
    ticket.refresh_from_db()
    assert ticket.first_response_at == first
    assert ticket.assignee == shop_a.staff


def test_reply_and_solve_records_the_solved_event(shop_a):
    ticket = open_ticket(shop_a.shop)
    services.reply(ticket, author=shop_a.staff, body="Done!", then=TicketState.SOLVED)
    ticket.refresh_from_db()
    assert ticket.state == TicketState.SOLVED and ticket.solved_at is not None
    assert Event.objects.filter(type="ticket.solved").count() == 1


def test_a_closed_ticket_takes_no_reply(shop_a):
    ticket = open_ticket(shop_a.shop)
    services.change_state(ticket, TicketState.CLOSED, actor=shop_a.staff)
    with pytest.raises(ValidationError):
        services.reply(ticket, author=shop_a.staff, body="Hello?")
    assert not TicketMessage.objects.filter(kind=TicketMessage.Kind.STAFF).exists()


def test_a_note_is_never_emailed(shop_a):
    ticket = open_ticket(shop_a.shop)
    note = services.add_note(ticket, author=shop_a.staff, body="Customer called as well.")
    assert note.kind == TicketMessage.Kind.NOTE
    assert note.delivery == "" and note.outbox_message is None
    ticket.refresh_from_db()
    assert ticket.first_response_at is None


def test_snoozed_tickets_wake_when_their_moment_comes(shop_a):
    ticket = open_ticket(shop_a.shop)
    until = timezone.now() + timedelta(days=2)
    services.change_state(ticket, TicketState.SNOOZED, actor=shop_a.staff, snoozed_until=until)
    ticket.refresh_from_db()
    assert (ticket.state, ticket.snoozed_until) == (TicketState.SNOOZED, until)
    assert services.wake_snoozed(until - timedelta(minutes=1)) == 0
    assert services.wake_snoozed(until + timedelta(minutes=1)) == 1
    ticket.refresh_from_db()
    assert ticket.state == TicketState.OPEN and ticket.snoozed_until is None


def test_snoozing_needs_a_future_moment(shop_a):
    ticket = open_ticket(shop_a.shop)
    with pytest.raises(ValidationError) as error:
        services.change_state(ticket, TicketState.SNOOZED, actor=shop_a.staff)
    assert "snoozed_until" in error.value.message_dict


def test_only_the_shops_staff_can_be_assigned(shop_a, shop_b):
    ticket = open_ticket(shop_a.shop)
    services.assign(ticket, shop_a.owner, actor=shop_a.staff)
    ticket.refresh_from_db()
    assert ticket.assignee == shop_a.owner
    with pytest.raises(ValidationError):
        services.assign(ticket, shop_b.staff, actor=shop_a.staff)


def test_tags_are_cleaned(shop_a):
    ticket = open_ticket(shop_a.shop)
    services.set_tags(ticket, " VIP, delivery ,vip,, ", actor=shop_a.staff)
    ticket.refresh_from_db()
    assert ticket.tags == ["vip", "delivery"]


def test_merging_moves_the_messages_and_threads_to_the_target(shop_a, shop_b):
    target = open_ticket(shop_a.shop, subject="Where is my parcel")
    source = open_ticket(shop_a.shop, subject="Parcel again")
    services.merge(source, target, actor=shop_a.staff)
    source.refresh_from_db()
    assert source.state == TicketState.MERGED and source.merged_into == target
    assert target.messages.filter(kind=TicketMessage.Kind.CUSTOMER).count() == 2
    with pytest.raises(ValidationError):
        services.merge(target, open_ticket(shop_b.shop), actor=shop_a.staff)
    with pytest.raises(ValidationError):
        services.merge(source, target, actor=shop_a.staff)


def test_bulk_changes_touch_only_the_shops_tickets(shop_a, shop_b):
    mine = [open_ticket(shop_a.shop), open_ticket(shop_a.shop)]
    theirs = open_ticket(shop_b.shop)
    count = services.bulk_change(
        shop_a.shop, [t.pk for t in mine] + [theirs.pk], "solve", actor=shop_a.staff
    )
    assert count == 2
    assert set(Ticket.objects.for_shop(shop_a.shop).values_list("state", flat=True)) == {"solved"}
    theirs.refresh_from_db()
    assert theirs.state == TicketState.NEW
