"""Upgrading moves the replies' own sending state into the outbox: a reply that was waiting
to be sent (or retried) is sent once after the upgrade, one already sent is not sent again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from aftersale.flows.direct import send_due_messages
from aftersale.flows.models import Kind, Message
from aftersale.service import mail_identity
from aftersale.service.models import TicketMessage
from tests.factories import ShopFactory

BEFORE = [("service", "0011_ticketmessage_outbox_message")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.slow  # migrating back and forth takes a few seconds
@pytest.mark.django_db(transaction=True)
def test_replies_waiting_to_be_sent_are_sent_once_after_the_upgrade(smtp):
    shop = ShopFactory(name="Pohjola Style", slug="pohjola")
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = _migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        Ticket = old.get_model("service", "Ticket")
        OldMessage = old.get_model("service", "TicketMessage")
        ticket = Ticket.objects.create(
            shop_id=shop.pk,
            number=7,
            email="aino@example.fi",
            subject="Wrong size",
            language="fi",
            source="email",
        )
        OldMessage.objects.create(
            shop_id=shop.pk,
            ticket=ticket,
            kind="customer",
            body="Too small",
            email_message_id="<q1@mail.example>",
        )
        now = timezone.now()
        rows = {}
        for delivery, body in (
            ("sent", "Sent before the upgrade"),
            ("retrying", "Refused for now before the upgrade"),
            ("", "Answered by phone"),
        ):
            row = OldMessage.objects.create(
                shop_id=shop.pk,
                ticket=ticket,
                kind="staff",
                body=body,
                delivery=delivery,
                recipient="aino@example.fi",
                send_attempts=1,
                last_error="451 4.7.1 Try again later" if delivery == "retrying" else "",
                next_attempt_at=now - timedelta(minutes=1) if delivery == "retrying" else None,
                sent_at=now if delivery == "sent" else None,
            )
            row.email_message_id = f"<as-{row.pk}@help.example>"
            row.save(update_fields=["email_message_id"])
            rows[delivery] = row.pk
    finally:
        _migrate(latest)

    assert send_due_messages() == 1
    [mail] = smtp.to("aino@example.fi")
    assert len(smtp.messages) == 1
    assert "Refused for now before the upgrade" in mail.text
    assert mail.subject == "[#7] Vs: Wrong size"
    assert mail.header("Message-ID") == f"<as-{rows['retrying']}@help.example>"
    assert mail.header("In-Reply-To") == f"<as-{rows['sent']}@help.example>"
    ticket = TicketMessage.objects.get(pk=rows["retrying"]).ticket
    assert mail.header("Reply-To") == mail_identity.reply_to_address(ticket)
    assert send_due_messages(timezone.now() + timedelta(hours=7)) == 0  # once

    retried = TicketMessage.objects.get(pk=rows["retrying"])
    assert retried.outbox_message.state == Message.State.SENT
    assert retried.outbox_message.send_attempts == 2
    assert retried.outbox_message.kind == Kind.TRANSACTIONAL
    sent = TicketMessage.objects.get(pk=rows["sent"]).outbox_message
    assert sent.state == Message.State.SENT
    assert sent.provider_id == f"<as-{rows['sent']}@help.example>"  # bounce reports find it
    assert TicketMessage.objects.get(pk=rows[""]).outbox_message is None
