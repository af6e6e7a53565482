"""Tickets as the tests need them."""

from __future__ import annotations

from aftersale.service import services


def open_ticket(shop, **overrides):
    values = {
        "email": "aino@example.fi",
        "name": "Aino Virtanen",
        "subject": "Wrong size",
        "body": "The shoes are too small.",
        "topic": "return",
        "source": "portal",
    }
    values.update(overrides)
    return services.open_ticket(shop, **values)
