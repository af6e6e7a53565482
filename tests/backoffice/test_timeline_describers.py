"""Every canonical event type reads as a sentence; other areas can register their own."""

from __future__ import annotations

import pytest
from django.utils import translation

from aftersale.backoffice import timeline
from aftersale.timeline import types
from aftersale.timeline.models import Event

CANONICAL = [value for name, value in vars(types).items() if name.isupper()]


@pytest.mark.parametrize("event_type", CANONICAL)
def test_it_describes_every_canonical_event_type(event_type):
    payload = {"segment": "at_risk"} if event_type == types.CUSTOMER_SEGMENT_ENTERED else {}
    text = timeline.describe(Event(type=event_type, payload=payload))
    assert text and text != event_type, (
        f"{event_type} has no description: register one with "
        "aftersale.backoffice.timeline.describe_type (and translate it)"
    )


def test_it_shows_an_unknown_type_by_its_name():
    assert timeline.describe(Event(type="parcel.teleported", payload={})) == "parcel.teleported"


def test_it_lets_another_area_register_a_describer(monkeypatch):
    monkeypatch.setattr(timeline, "_describers", dict(timeline._describers))
    timeline.describe_type("ticket.opened", lambda e: f"Ticket opened: {e.payload['subject']}")
    event = Event(type="ticket.opened", payload={"subject": "Where is my parcel?"})
    assert timeline.describe(event) == "Ticket opened: Where is my parcel?"
    # A describer that meets a payload without its key falls back to the type name.
    assert timeline.describe(Event(type="ticket.opened", payload={})) == "ticket.opened"


def test_it_reads_consent_and_messages_from_the_payload():
    given = Event(type=types.CUSTOMER_CONSENT_CHANGED, payload={"marketing_consent": True})
    withdrawn = Event(type=types.CUSTOMER_CONSENT_CHANGED, payload={"marketing_consent": False})
    sent = Event(type=types.MESSAGE_SENT, payload={"subject": "Thanks for your order"})
    segment = Event(type=types.CUSTOMER_SEGMENT_ENTERED, payload={"segment": "champions"})
    with translation.override("en"):
        assert timeline.describe(given) == "Marketing consent given"
        assert timeline.describe(withdrawn) == "Marketing consent withdrawn"
        assert timeline.describe(sent) == "Message sent: Thanks for your order"
        assert timeline.describe(segment) == "Moved to the segment “Champions”"


def test_it_says_which_message_failed_and_why():
    failed = Event(
        type=types.MESSAGE_FAILED,
        payload={"subject": "Thanks for your order", "reason": "RCPT TO: 554 5.7.1 Denied"},
    )
    with translation.override("en"):
        assert timeline.describe(failed) == (
            "Message not delivered: Thanks for your order (RCPT TO: 554 5.7.1 Denied)"
        )
    with translation.override("fi"):
        assert timeline.describe(failed).startswith("Viestiä ei toimitettu: ")
