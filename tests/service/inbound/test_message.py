"""Reading an e-mail: addresses, the new text without quotes and signature, files, ids."""

from __future__ import annotations

from aftersale.service.inbound.message import parse_message
from tests.service.inbound.mails import PDF, PNG, customer_mail


def test_it_reads_who_wrote_to_whom_and_the_threading_ids():
    message = customer_mail(
        to="Pohjola Style <Tuki@Pohjola.Example>",
        message_id="<abc@example.fi>",
        in_reply_to="<as-1-2-3-0123456789abcdef0123@help.example>",
        references="<first@example.fi> <as-1-2-3-0123456789abcdef0123@help.example>",
        headers={"Cc": "other@example.fi", "Delivered-To": "tuki+x@pohjola.example"},
    )
    mail = parse_message(message.as_bytes(), envelope_recipients=["tuki@pohjola.example"])

    assert mail.sender == "matti.meikalainen@example.fi"
    assert mail.sender_name == "Matti Meikäläinen"
    assert mail.to == ("tuki@pohjola.example",)
    assert mail.cc == ("other@example.fi",)
    assert mail.delivered_to == ("tuki+x@pohjola.example",)
    assert mail.header_recipients[0] == "tuki+x@pohjola.example"
    assert mail.subject == "Missä pakettini on?"
    assert mail.message_id == "<abc@example.fi>"
    assert mail.in_reply_to == ("<as-1-2-3-0123456789abcdef0123@help.example>",)
    assert mail.thread_ids == [
        "<first@example.fi>",
        "<as-1-2-3-0123456789abcdef0123@help.example>",
    ]


def test_it_keeps_the_new_text_and_the_whole_original():
    text = (
        "Kiitos, paketti löytyi!\n\n-- \nMatti Meikäläinen\n040 123 4567\n\n"
        "ti 1.12.2026 klo 10.00 Pohjola Style <tuki@pohjola.example> kirjoitti:\n"
        "> Hei Matti,\n> pakettisi on noudettavissa.\n"
    )
    mail = parse_message(customer_mail(text=text).as_bytes())
    assert mail.text == "Kiitos, paketti löytyi!"
    assert "pakettisi on noudettavissa" in mail.full_text
    assert "040 123 4567" in mail.full_text


def test_it_reads_the_text_of_an_html_only_mail():
    message = customer_mail(text="x")
    message.set_content("<p>Hei,<br>tilaus <b>1001</b> &amp; palautus</p>", subtype="html")
    mail = parse_message(message.as_bytes())
    assert mail.text == "Hei,\ntilaus 1001 & palautus"
    assert "<b>1001</b>" in mail.html


def test_it_keeps_both_bodies_and_the_files_with_their_types():
    message = customer_mail(
        html="<p>Kuva liitteenä</p>",
        attachments=[("kuva.png", "image/png", PNG), ("kuitti.pdf", "application/pdf", PDF)],
    )
    mail = parse_message(message.as_bytes())
    assert "missä pakettini on?" in mail.text
    assert "Kuva liitteenä" in mail.html
    assert [(a.name, a.content_type, a.content) for a in mail.attachments] == [
        ("kuva.png", "image/png", PNG),
        ("kuitti.pdf", "application/pdf", PDF),
    ]


def test_it_reads_a_mail_with_broken_headers_and_an_unknown_charset():
    raw = (
        b"From: =?x-unknown?Q?M=E4tti?= <m@example.fi>\r\n"
        b"To: tuki@pohjola.example\r\n"
        b"Subject: =?utf-8?B?broken\r\n"
        b"Message-ID: bare-id@example.fi\r\n"
        b"Content-Type: text/plain; charset=x-unknown\r\n\r\n"
        b"Hei \xe4\r\n"
    )
    mail = parse_message(raw)
    assert mail.sender == "m@example.fi"
    assert mail.message_id == "<bare-id@example.fi>"
    assert mail.text.startswith("Hei")


def test_the_null_envelope_sender_is_kept_apart_from_an_unknown_one():
    message = customer_mail()
    assert parse_message(message.as_bytes(), envelope_sender="").envelope_sender == ""
    assert parse_message(message.as_bytes()).envelope_sender is None
    message["Return-Path"] = "<>"
    assert parse_message(message.as_bytes()).envelope_sender == ""
