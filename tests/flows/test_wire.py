"""The worker builds an e-mail's bytes with a faster generator (aftersale.flows.wire): they
must be exactly what Django's SMTP backend would send."""

from __future__ import annotations

import email
import email.policy
from email import generator
from io import BytesIO

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address

from aftersale.flows import wire

SUBJECTS = [
    "Kiitos tilauksestasi 777",
    "Tack för din beställning 777",
    "Noutamaton paketti: viimeinen muistutus – nouda se ennen perjantaita 4.12. klo 18",
    "An English subject that is long enough to need folding over more than one line, surely",
    "Two  spaces and\ta tab",
    "",
]
SENDERS = [
    "Pohjola Style <shop@example.fi>",
    "Åbo Ränder <info@example.fi>",
    '"Shop, Inc." <orders@example.fi>',
    "noreply@localhost",
]
RECIPIENTS = [
    "aino.virtanen+test@example.fi",
    "Aino Virtanen <aino@example.fi>",
    "erik@exämple.se",
    "ÅSA@example.se",
    "weird%name@example.fi",
    "a@b",
]


def standard_bytes(message) -> bytes:
    out = BytesIO()
    generator.BytesGenerator(out, mangle_from_=False).flatten(message, linesep="\r\n")
    return out.getvalue()


def django_message(subject: str, sender: str, recipient: str, marketing: bool):
    headers = {
        "Message-ID": "<run12-step3@example.fi>",
        "Date": "Mon, 23 Nov 2026 10:00:00 -0000",
    }
    if marketing:
        headers["List-Unsubscribe"] = (
            "<https://aftersale.example/u/0b6f3c9e-8f1e-4c3a-9a57-1d2e3f4a5b6c/>"
        )
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    body = f"Hei Aino,\n\nkiitos tilauksesta.  Seuraa: https://example.fi/t/1\n{'x' * 1200}\n"
    mail = EmailMultiAlternatives(subject, body, sender, [recipient], headers=headers)
    mail.attach_alternative(f"<p>{body}</p>", "text/html")
    return mail.message()


@pytest.mark.parametrize("marketing", [False, True])
@pytest.mark.parametrize("sender", SENDERS)
@pytest.mark.parametrize("subject", SUBJECTS)
def test_the_bytes_are_the_standard_generators(subject, sender, marketing):
    for recipient in RECIPIENTS:
        message = django_message(subject, sender, recipient, marketing)
        message.set_boundary("===============1234567890123456789==")
        assert wire.as_bytes(message) == standard_bytes(message)


def test_a_new_boundary_is_random_and_the_message_reads_back():
    first = wire.as_bytes(django_message(SUBJECTS[1], SENDERS[1], RECIPIENTS[0], True))
    second = wire.as_bytes(django_message(SUBJECTS[1], SENDERS[1], RECIPIENTS[0], True))
    parsed = [email.message_from_bytes(b, policy=email.policy.default) for b in (first, second)]
    assert parsed[0].get_boundary() != parsed[1].get_boundary()
    assert parsed[0]["Subject"] == SUBJECTS[1]
    plain = parsed[0].get_body(preferencelist=("plain",)).get_content()
    html = parsed[0].get_body(preferencelist=("html",)).get_content()
    assert "kiitos tilauksesta.  Seuraa" in plain and html.startswith("<p>Hei Aino")


@pytest.mark.parametrize("address", SENDERS + RECIPIENTS)
def test_envelope_addresses_are_what_django_sends(address):
    assert wire.envelope_address(address, "utf-8") == sanitize_address(address, "utf-8")


def test_unsubscribe_tokens_of_a_batch_are_like_single_ones_and_all_different():
    from aftersale.flows.models import new_unsubscribe_token
    from aftersale.flows.outbox import unsubscribe_tokens

    tokens = unsubscribe_tokens(50)
    assert len(set(tokens)) == 50
    assert {len(t) for t in tokens} == {len(new_unsubscribe_token())} == {32}
    assert all(t.replace("-", "").replace("_", "").isalnum() for t in tokens)
