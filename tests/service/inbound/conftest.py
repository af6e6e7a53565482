"""A running ``mail-in`` receiver on a free loopback port, and a way to send it mail."""

from __future__ import annotations

import smtplib

import pytest
from django.core.cache import cache

from aftersale.core.models import Shop
from aftersale.service.inbound.server import Receiver

SUPPORT = "support@help.example"
ADDRESS_A = "tuki@pohjola.example"
ADDRESS_B = "support@saaristo.example"


@pytest.fixture
def addresses(shop_a, shop_b, settings):
    """Each shop's contact e-mail is its support address; replies come back to SUPPORT."""
    settings.SUPPORT_REPLY_ADDRESS = f"Aftersale support <{SUPPORT}>"
    Shop.objects.filter(pk=shop_a.shop.pk).update(contact_email=ADDRESS_A)
    Shop.objects.filter(pk=shop_b.shop.pk).update(contact_email=ADDRESS_B)
    shop_a.shop.refresh_from_db()
    shop_b.shop.refresh_from_db()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mail_in(transactional_db, addresses):
    """The receiver, serving in a background thread; its database work sees committed rows."""
    receiver = Receiver("127.0.0.1", 0, lmtp=False).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def lmtp_in(transactional_db, addresses):
    receiver = Receiver("127.0.0.1", 0, lmtp=True).start()
    yield receiver
    receiver.stop()


def send(receiver, message, *, to=None, sender=None):
    """Send ``message`` over SMTP (or LMTP); returns what the server refused (smtplib)."""
    client_class = smtplib.LMTP if receiver.lmtp else smtplib.SMTP
    with client_class("127.0.0.1", receiver.port, timeout=60) as client:
        return client.send_message(message, from_addr=sender, to_addrs=to)
