"""Support mail over the wire: smtplib → ``mail-in`` → tickets; staff replies out through the
real local SMTP server; the customer's replies thread back; automatic mail opens nothing."""

from __future__ import annotations

import smtplib
from email.utils import make_msgid

import pytest

from aftersale.flows.direct import send_due_messages
from aftersale.service import mail_identity, services
from aftersale.service.models import Source, Ticket, TicketMessage
from tests.service.inbound.conftest import ADDRESS_A, ADDRESS_B, SUPPORT, send
from tests.service.inbound.mails import PDF, PNG, customer_mail, delivery_report, out_of_office

CUSTOMER = "matti.meikalainen@example.fi"


def only_ticket(shop) -> Ticket:
    [ticket] = Ticket.objects.for_shop(shop)
    return ticket


def customer_texts(ticket) -> list[str]:
    return list(
        TicketMessage.objects.for_shop(ticket.shop_id)
        .filter(ticket=ticket, kind=TicketMessage.Kind.CUSTOMER)
        .values_list("body", flat=True)
    )


def test_a_mail_to_the_shop_s_address_opens_a_ticket_with_its_files(mail_in, shop_a, shop_b):
    message = customer_mail(
        text="Hei,\n\ntakki on liian pieni.\n\n-- \nMatti\n",
        attachments=[
            ("takki.png", "image/png", PNG),
            ("kuitti.pdf", "application/pdf", PDF),
            ("ohjelma.exe", "application/octet-stream", b"MZ\x90\x00"),
        ],
    )
    assert send(mail_in, message) == {}

    ticket = only_ticket(shop_a.shop)
    assert ticket.source == Source.EMAIL
    assert ticket.email == CUSTOMER and ticket.name == "Matti Meikäläinen"
    assert ticket.subject == "Missä pakettini on?"
    [body] = customer_texts(ticket)
    assert body.startswith("Hei,\n\ntakki on liian pieni.")
    assert "ohjelma.exe" in body  # named as left out, so staff can ask for it another way
    first = ticket.messages.get()
    assert sorted(first.attachments.values_list("name", "content_type", "size")) == [
        ("kuitti.pdf", "application/pdf", len(PDF)),
        ("takki.png", "image/png", len(PNG)),
    ]
    assert first.email_message_id == message["Message-ID"]
    assert not Ticket.objects.for_shop(shop_b.shop).exists()


def test_the_same_mail_delivered_twice_opens_one_ticket(mail_in, shop_a):
    message = customer_mail()
    send(mail_in, message)
    send(mail_in, message)
    assert Ticket.objects.for_shop(shop_a.shop).count() == 1


def test_an_unknown_recipient_is_refused_with_550(mail_in, shop_a):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(mail_in, customer_mail(to="someone@elsewhere.example"))
    [(code, _text)] = refused.value.recipients.values()
    assert code == 550
    refused = send(mail_in, customer_mail(), to=[ADDRESS_A, "nobody@pohjola.example"])
    assert refused["nobody@pohjola.example"][0] == 550
    assert Ticket.objects.for_shop(shop_a.shop).count() == 1


def test_the_shop_slug_on_the_support_address_reaches_the_shop(mail_in, shop_a, shop_b):
    send(mail_in, customer_mail(), to=["support+saaristo@help.example"])
    assert only_ticket(shop_b.shop)
    assert not Ticket.objects.for_shop(shop_a.shop).exists()
    with pytest.raises(smtplib.SMTPRecipientsRefused):  # two shops: the bare address names none
        send(mail_in, customer_mail(), to=[SUPPORT])


def test_a_staff_reply_reaches_the_customer_and_their_replies_thread_back(mail_in, smtp, shop_a):
    send(mail_in, customer_mail(subject="Takki liian pieni"))
    ticket = only_ticket(shop_a.shop)
    services.reply(ticket, author=shop_a.staff, body="Hei Matti, vaihdetaan isompaan.")
    assert send_due_messages() == 1
    [received] = smtp.to(CUSTOMER)
    assert "vaihdetaan isompaan" in received.text
    assert received.header("Reply-To") == mail_identity.reply_to_address(ticket)

    # 1. The customer answers what they received: In-Reply-To names our signed Message-ID.
    answer = customer_mail(
        subject=f"Re: {received.subject}",
        text=f"Sopii, kiitos!\n\nOn Tue, 1 Dec 2026 {ADDRESS_A} wrote:\n> vaihdetaan\n",
        in_reply_to=received.header("Message-ID"),
        references=received.header("Message-ID"),
    )
    send(mail_in, answer, to=[ADDRESS_A])
    # 2. The customer writes to the Reply-To (token) address, without any threading header.
    again = customer_mail(subject="Vielä yksi asia", text="Voinko noutaa sen itse?")
    send(mail_in, again, to=[received.header("Reply-To")])

    assert only_ticket(shop_a.shop) == ticket
    assert customer_texts(ticket)[1:] == ["Sopii, kiitos!", "Voinko noutaa sen itse?"]
    ticket.refresh_from_db()
    assert ticket.state == "open"  # the customer's answer opened the waiting ticket again


def test_the_ticket_number_in_the_subject_threads_only_the_ticket_s_own_sender(mail_in, shop_a):
    send(mail_in, customer_mail())
    ticket = only_ticket(shop_a.shop)
    tagged = f"Re: [#{ticket.number}] Missä pakettini on?"

    send(mail_in, customer_mail(subject=tagged, text="Löytyikö?"))
    assert customer_texts(ticket)[-1] == "Löytyikö?"

    send(mail_in, customer_mail(sender="stranger@example.org", subject=tagged, text="Hi"))
    assert Ticket.objects.for_shop(shop_a.shop).count() == 2
    assert Ticket.objects.for_shop(shop_a.shop).get(email="stranger@example.org") != ticket


def test_a_forged_token_reaches_no_ticket(mail_in, shop_a, shop_b):
    send(mail_in, customer_mail(), to=[ADDRESS_B])
    theirs = only_ticket(shop_b.shop)
    token = mail_identity.conversation_token(theirs)
    forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")

    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(mail_in, customer_mail(text="forged"), to=[f"support+{forged}@help.example"])
    # On a shop's own address the forged tag is only a tag: a new ticket of that shop.
    send(mail_in, customer_mail(text="forged"), to=[f"tuki+{forged}@pohjola.example"])

    assert customer_texts(theirs) == ["Hei,\n\nmissä pakettini on?\n\nTerveisin\nMatti"]
    assert only_ticket(shop_a.shop).messages.get().body == "forged"


def test_shop_b_s_token_and_message_id_sent_to_shop_a_open_nothing_of_b_s(
    mail_in, smtp, shop_a, shop_b
):
    send(mail_in, customer_mail(), to=[ADDRESS_B])
    theirs = only_ticket(shop_b.shop)
    reply = services.reply(theirs, author=shop_b.staff, body="Hej")
    send_due_messages()
    b_token = mail_identity.conversation_token(theirs)

    send(mail_in, customer_mail(text="token"), to=[f"tuki+{b_token}@pohjola.example"])
    send(
        mail_in,
        customer_mail(
            text="in-reply-to", in_reply_to=reply.email_message_id, subject=f"[#{theirs.number}]"
        ),
        to=[ADDRESS_A],
    )

    assert customer_texts(theirs) == ["Hei,\n\nmissä pakettini on?\n\nTerveisin\nMatti"]
    mine = Ticket.objects.for_shop(shop_a.shop)
    assert sorted(message.body for t in mine for message in t.messages.all()) == [
        "in-reply-to",
        "token",
    ]


def test_out_of_office_and_bounces_open_nothing_and_send_nothing(mail_in, smtp, shop_a):
    send(mail_in, customer_mail())
    ticket = only_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Paketti on matkalla.")
    send_due_messages()
    assert len(smtp.messages) == 1

    autoreply = out_of_office()
    autoreply["In-Reply-To"] = reply.email_message_id
    assert send(mail_in, autoreply) == {}
    with smtplib.SMTP("127.0.0.1", mail_in.port, timeout=60) as client:  # MAIL FROM:<>
        assert client.sendmail("", [ADDRESS_A], delivery_report()) == {}
    send(mail_in, customer_mail(headers={"Precedence": "bulk"}, subject="Uutiskirje"))
    send(mail_in, customer_mail(sender=ADDRESS_A, subject="Loop?"))  # our own address

    assert only_ticket(shop_a.shop) == ticket
    assert customer_texts(ticket) == ["Hei,\n\nmissä pakettini on?\n\nTerveisin\nMatti"]
    assert send_due_messages() == 0
    assert len(smtp.messages) == 1  # nothing answered any of them


def test_a_sender_writing_too_often_is_held_off_with_451(mail_in, settings, shop_a, shop_b):
    settings.MAIL_IN_RATE_LIMIT = 2
    send(mail_in, customer_mail(subject="1"))
    send(mail_in, customer_mail(subject="2"))
    with pytest.raises(smtplib.SMTPDataError) as held:
        send(mail_in, customer_mail(subject="3"))
    assert held.value.smtp_code == 451
    send(mail_in, customer_mail(subject="3"), to=[ADDRESS_B])  # per shop
    send(mail_in, customer_mail(sender="other@example.fi", subject="4"))  # per sender
    assert Ticket.objects.for_shop(shop_a.shop).count() == 3
    assert Ticket.objects.for_shop(shop_b.shop).count() == 1


def test_lmtp_answers_each_recipient(lmtp_in, shop_a, shop_b, settings):
    settings.MAIL_IN_RATE_LIMIT = 1
    send(lmtp_in, customer_mail(), to=[ADDRESS_B])  # the sender's one mail to B this hour
    message = customer_mail(message_id=make_msgid(domain="example.fi"))
    with smtplib.LMTP("127.0.0.1", lmtp_in.port, timeout=60) as client:
        client.ehlo_or_helo_if_needed()
        client.mail(CUSTOMER)
        assert client.rcpt(ADDRESS_A)[0] == 250
        assert client.rcpt(ADDRESS_B)[0] == 250
        # RFC 2033: after DATA one reply per recipient, in RCPT order.
        assert client.data(message.as_bytes())[0] == 250
        assert client.getreply()[0] == 451  # B: over the rate limit, tried again later
    assert Ticket.objects.for_shop(shop_a.shop).count() == 1
    assert Ticket.objects.for_shop(shop_b.shop).count() == 1
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(lmtp_in, customer_mail(), to=["nobody@elsewhere.example"])


def test_mail_from_an_address_nobody_could_answer_is_refused_for_good(mail_in, shop_a):
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(mail_in, customer_mail(sender="not-an-address", name=""), sender="x@example.fi")
    assert refused.value.smtp_code == 554
    assert not Ticket.objects.exists()


def test_a_reply_to_a_closed_ticket_opens_a_new_one(mail_in, smtp, shop_a):
    send(mail_in, customer_mail())
    ticket = only_ticket(shop_a.shop)
    reply = services.reply(ticket, author=shop_a.staff, body="Hoidettu.")
    services.change_state(ticket, "closed", actor=shop_a.staff)

    send(mail_in, customer_mail(text="Vielä yksi kysymys", in_reply_to=reply.email_message_id))

    newest = Ticket.objects.for_shop(shop_a.shop).exclude(pk=ticket.pk).get()
    assert customer_texts(newest) == ["Vielä yksi kysymys"]
    assert len(customer_texts(ticket)) == 1
