"""The customer's new words without what their mail program quoted (fi, sv, en)."""

from __future__ import annotations

import pytest

from aftersale.service.inbound.quoting import trim_reply

CASES = {
    "gmail-fi": (
        "Kiitos!\n\nti 1.12.2026 klo 10.00 Pohjola Style <tuki@pohjola.example> kirjoitti:\n"
        "> Hei\n> Paketti on matkalla.\n",
        "Kiitos!",
    ),
    "gmail-en-wrapped": (
        "Thanks, got it.\n\nOn Tue, Dec 1, 2026 at 10:00 AM Pohjola Style <\n"
        "tuki@pohjola.example> wrote:\n\n> Hello\n",
        "Thanks, got it.",
    ),
    "apple-sv": (
        "Tack så mycket.\n\nDen tis 1 dec. 2026 kl 10:00 skrev Saaristo Tech "
        "<support@saaristo.example>:\n> Hej\n",
        "Tack så mycket.",
    ),
    "outlook-fi": (
        "Palautan takin.\n\n________________________________\n"
        "Lähettäjä: Pohjola Style <tuki@pohjola.example>\nLähetetty: tiistai 1. joulukuuta\n"
        "Vastaanottaja: Matti\nAihe: Tilauksesi\n\nHei Matti\n",
        "Palautan takin.",
    ),
    "outlook-sv-without-rule": (
        "Jag vill byta storlek.\n\nFrån: Saaristo Tech <support@saaristo.example>\n"
        "Skickat: den 1 december 2026 10:00\nTill: Anna\nÄmne: Din order\n\nHej Anna\n",
        "Jag vill byta storlek.",
    ),
    "original-message": (
        "See below.\n\n-----Original Message-----\nFrom: shop\nSent: today\n\nold text\n",
        "See below.",
    ),
    "signature-and-phone": (
        "Missä paketti?\n\n-- \nMatti\n040 123\n",
        "Missä paketti?",
    ),
    "sent-from-phone": ("Where is it?\n\nSent from my iPhone\n", "Where is it?"),
    "trailing-quote-only": ("Yes please.\n\n> Do you want a refund?\n> \n", "Yes please."),
}


@pytest.mark.parametrize("name", CASES)
def test_it_cuts_quoted_history_and_signatures(name):
    text, expected = CASES[name]
    assert trim_reply(text) == expected


def test_it_keeps_answers_written_between_quoted_lines():
    text = "> Which size?\nM please\n> Which colour?\nBlue\n"
    assert trim_reply(text) == "> Which size?\nM please\n> Which colour?\nBlue"


def test_it_keeps_a_sentence_that_only_looks_like_an_attribution():
    text = "Jag skrev till er igår om detta:\nvar är paketet?\n"
    assert trim_reply(text) == text.strip()


def test_it_keeps_everything_when_all_of_it_looks_quoted():
    assert trim_reply("> only a quote\n") == "> only a quote"
