"""Signed reply addresses and Message-IDs find their own ticket and nothing else."""

from __future__ import annotations

from aftersale.service import mail_identity, services
from aftersale.service.models import Ticket, TicketMessage, TicketState


def open_one(shop, subject="Where is my parcel?", message_id="<first@mail.example>"):
    return services.open_ticket(
        shop,
        email="aino@example.fi",
        name="Aino",
        subject=subject,
        body="It has not arrived.",
        topic="delivery",
        source="email",
        email_message_id=message_id,
    )


def test_the_reply_address_carries_a_token_that_finds_the_ticket(shop_a, settings):
    settings.SUPPORT_REPLY_ADDRESS = "Pohjola Support <support@help.pohjola.fi>"
    ticket = open_one(shop_a.shop)
    address = mail_identity.reply_to_address(ticket)
    assert address.startswith("support+t") and address.endswith("@help.pohjola.fi")
    assert address == address.lower()
    assert mail_identity.ticket_for_token(shop_a.shop, address) == ticket
    assert mail_identity.ticket_for_token(shop_a.shop, address.upper()) == ticket
    token = mail_identity.conversation_token(ticket)
    assert mail_identity.ticket_for_token(shop_a.shop, token) == ticket


def test_a_forged_or_foreign_token_finds_nothing(shop_a, shop_b):
    ticket_a = open_one(shop_a.shop)
    ticket_b = open_one(shop_b.shop)
    token_b = mail_identity.conversation_token(ticket_b)
    assert mail_identity.ticket_for_token(shop_a.shop, token_b) is None
    # Shop B's signature over shop A's ids is not shop A's signature.
    forged = f"t{token_b.split('-')[0][1:]}-{ticket_a.pk:x}-{token_b.rsplit('-', 1)[1]}"
    assert mail_identity.ticket_for_token(shop_a.shop, forged) is None
    token_a = mail_identity.conversation_token(ticket_a)
    tampered = token_a[:-1] + ("0" if token_a[-1] != "0" else "1")
    assert mail_identity.ticket_for_token(shop_a.shop, tampered) is None
    assert mail_identity.ticket_for_token(shop_a.shop, "support@x.fi") is None
    assert mail_identity.ticket_for_token(shop_a.shop, "garbage") is None


def test_our_message_ids_are_signed_and_thread_back(shop_a, shop_b):
    ticket = open_one(shop_a.shop)
    reply = TicketMessage.objects.create(
        shop=shop_a.shop, ticket=ticket, kind=TicketMessage.Kind.STAFF, body="On its way."
    )
    message_id = mail_identity.message_id_for(reply)
    assert message_id == mail_identity.message_id_for(reply)
    assert mail_identity.ticket_for_message_ids(shop_a.shop, ["<other@x>", message_id]) == ticket
    assert mail_identity.ticket_for_message_ids(shop_b.shop, [message_id]) is None
    forged = message_id.replace(message_id.split("-")[4][:4], "0000")
    assert mail_identity.ticket_for_message_ids(shop_a.shop, [forged]) is None


def test_a_customers_own_earlier_message_id_threads_to_the_ticket(shop_a, shop_b):
    ticket = open_one(shop_a.shop)
    found = mail_identity.ticket_for_message_ids(shop_a.shop, ["<first@mail.example>"])
    assert found == ticket
    assert mail_identity.ticket_for_message_ids(shop_b.shop, ["<first@mail.example>"]) is None


def test_the_subject_tag_is_the_fallback(shop_a, shop_b):
    ticket = open_one(shop_a.shop)
    subject = mail_identity.subject_for(ticket, "Re: Where is my parcel?")
    assert subject == f"[#{ticket.number}] Re: Where is my parcel?"
    assert mail_identity.subject_for(ticket, subject) == subject
    assert mail_identity.ticket_for_subject(shop_a.shop, f"Re: {subject}") == ticket
    assert mail_identity.ticket_for_subject(shop_b.shop, subject) is None
    assert mail_identity.ticket_for_subject(shop_a.shop, "no tag here") is None


def test_a_merged_ticket_resolves_to_the_one_it_was_merged_into(shop_a):
    target = open_one(shop_a.shop)
    merged = open_one(shop_a.shop, message_id="<second@mail.example>")
    assert merged != target
    Ticket.objects.filter(pk=merged.pk).update(state=TicketState.MERGED, merged_into=target)
    token = mail_identity.conversation_token(merged)
    assert mail_identity.ticket_for_token(shop_a.shop, token) == target
