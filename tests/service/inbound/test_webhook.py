"""Support mail from a provider's inbound webhook (normalised by Anymail) becomes a ticket,
through the same pipeline as ``mail-in``; the webhook is authenticated."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from aftersale.service import mail_identity, services
from aftersale.service.models import Source, Ticket
from tests.service.inbound.conftest import ADDRESS_A, ADDRESS_B
from tests.service.inbound.mails import PNG, customer_mail, out_of_office

AUTH = "Basic " + base64.b64encode(b"hook:s3cret").decode()
SIGNING_KEY = "mailgun-signing-key"


@pytest.fixture(autouse=True)
def _provider(settings, addresses):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret", "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def postmark_payload(*, to=ADDRESS_A, subject="Palautus", text="Haluan palauttaa kengät.", **extra):
    payload = {
        "FromName": "Aino Virtanen",
        "From": "aino@example.fi",
        "FromFull": {"Email": "aino@example.fi", "Name": "Aino Virtanen"},
        "To": to,
        "ToFull": [{"Email": to, "Name": ""}],
        "CcFull": [],
        "OriginalRecipient": to,
        "Subject": subject,
        "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
        "Date": "Tue, 1 Dec 2026 10:00:00 +0200",
        "TextBody": text,
        "HtmlBody": f"<p>{text}</p>",
        "StrippedTextReply": "",
        "Headers": [
            {"Name": "Return-Path", "Value": "<aino@example.fi>"},
            {"Name": "Message-ID", "Value": "<CAE-aino-1@mail.example.fi>"},
        ],
        "Attachments": [
            {
                "Name": "kengat.png",
                "Content": base64.b64encode(PNG).decode(),
                "ContentType": "image/png",
                "ContentLength": len(PNG),
            }
        ],
    }
    payload.update(extra)
    return payload


def postmark(client, payload, auth=AUTH):
    return client.post(
        "/webhooks/anymail/postmark/inbound/",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )


def mailgun(client, message, *, recipient, key=SIGNING_KEY):
    timestamp, token = "1796112000", "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return client.post(
        "/webhooks/anymail/mailgun/inbound/",
        data={
            "body-mime": message.as_string(),
            "recipient": recipient,
            "sender": "matti.meikalainen@example.fi",
            "timestamp": timestamp,
            "token": token,
            "signature": signature.hexdigest(),
        },
        HTTP_AUTHORIZATION=AUTH,
    )


def test_a_postmark_inbound_message_opens_a_ticket(client, shop_a, shop_b):
    assert postmark(client, postmark_payload()).status_code == 200

    [ticket] = Ticket.objects.for_shop(shop_a.shop)
    assert (ticket.email, ticket.name, ticket.subject) == (
        "aino@example.fi",
        "Aino Virtanen",
        "Palautus",
    )
    assert ticket.source == Source.EMAIL
    message = ticket.messages.get()
    assert message.body == "Haluan palauttaa kengät."
    assert message.email_message_id == "<CAE-aino-1@mail.example.fi>"
    assert list(message.attachments.values_list("name", flat=True)) == ["kengat.png"]
    assert not Ticket.objects.for_shop(shop_b.shop).exists()

    assert postmark(client, postmark_payload()).status_code == 200  # the provider retries
    assert Ticket.objects.for_shop(shop_a.shop).count() == 1


def test_a_mailgun_raw_message_threads_onto_the_ticket_by_its_token(client, shop_a):
    ticket = services.open_ticket(
        shop_a.shop,
        email="matti.meikalainen@example.fi",
        name="Matti",
        subject="Koko",
        body="Onko M-kokoa?",
        topic="product",
        source="portal",
    )
    reply_to = mail_identity.reply_to_address(ticket)
    answer = customer_mail(text="Kiitos, tilaan sen.", to=reply_to)
    assert mailgun(client, answer, recipient=reply_to).status_code == 200

    assert Ticket.objects.for_shop(shop_a.shop).count() == 1
    assert [m.body for m in ticket.messages.all()] == ["Onko M-kokoa?", "Kiitos, tilaan sen."]


def test_an_out_of_office_through_the_webhook_opens_nothing(client, shop_a):
    assert mailgun(client, out_of_office(), recipient=ADDRESS_A).status_code == 200
    assert not Ticket.objects.for_shop(shop_a.shop).exists()


def test_the_webhook_refuses_wrong_credentials_and_keeps_nothing(client, shop_a):
    wrong = "Basic " + base64.b64encode(b"hook:guess").decode()
    assert postmark(client, postmark_payload(), auth=wrong).status_code in (400, 401, 403)
    bad = mailgun(client, customer_mail(), recipient=ADDRESS_A, key="not-the-key")
    assert bad.status_code in (400, 401, 403)
    assert not Ticket.objects.exists()


def test_a_message_for_shop_b_stays_with_shop_b(client, shop_a, shop_b):
    postmark(client, postmark_payload(to=ADDRESS_B))
    assert Ticket.objects.for_shop(shop_b.shop).count() == 1
    assert not Ticket.objects.for_shop(shop_a.shop).exists()


def test_a_message_for_no_shop_is_taken_and_dropped(client, shop_a):
    assert postmark(client, postmark_payload(to="info@elsewhere.example")).status_code == 200
    assert not Ticket.objects.exists()
