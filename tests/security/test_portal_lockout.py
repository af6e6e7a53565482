"""Portal lockouts count per client address and per order number, never lock out the real
customer: the right pair from their own address works while someone elsewhere guesses, and a
signed sign-in link works during any lookup lockout."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from aftersale.portal import access
from tests.returns.fixtures import delivered_order

GUESSER = "203.0.113.66"
CUSTOMER = "198.51.100.20"


@pytest.fixture(autouse=True)
def _fresh_counters(db):
    cache.clear()


def look_up(client, order, email, address):
    return client.post(
        f"/s/{order.shop.slug}/", {"number": order.number, "email": email}, REMOTE_ADDR=address
    )


def guess(client, order, times, address=GUESSER):
    for n in range(times):
        assert look_up(client, order, f"guess{n}@example.fi", address).status_code in {400, 429}


def test_the_customer_is_not_locked_out_by_guesses_from_elsewhere(client, shop_a):
    order = delivered_order(shop_a.shop)
    guess(client, order, access.FAILURES_PER_ORDER * 3)
    assert look_up(client, order, order.customer.email, GUESSER).status_code == 429
    assert look_up(client, order, order.customer.email, CUSTOMER).status_code == 302


def test_guessers_from_many_addresses_are_each_refused_after_their_first_miss(client, shop_a):
    order = delivered_order(shop_a.shop)
    for n in range(access.FAILURES_PER_ORDER):
        guess(client, order, 1, address=f"192.0.2.{n}")
    # The order number is locked now: an address that missed on it is refused...
    assert look_up(client, order, "again@example.fi", "192.0.2.0").status_code == 429
    # ...a new address gets one try, and is refused after its miss.
    assert look_up(client, order, "new@example.fi", "192.0.2.99").status_code == 400
    assert look_up(client, order, order.customer.email, "192.0.2.99").status_code == 429


def test_a_signed_link_opens_the_orders_during_a_lookup_lockout(client, shop_a):
    order = delivered_order(shop_a.shop)
    guess(client, order, access.FAILURES_PER_ADDRESS + 5, address="127.0.0.1")
    assert look_up(client, order, order.customer.email, "127.0.0.1").status_code == 429
    token = access.magic_token(shop_a.shop, order.customer.email)
    opened = client.post(reverse("portal:open_link", args=[shop_a.shop.slug, token]))
    assert opened.status_code == 302
    page = client.get(reverse("portal:order", args=[shop_a.shop.slug, order.pk]))
    assert page.status_code == 200 and order.number in page.content.decode()


def test_successful_lookups_count_nothing(client, shop_a):
    order = delivered_order(shop_a.shop)
    for _ in range(access.FAILURES_PER_ADDRESS + 5):
        assert look_up(client, order, order.customer.email, CUSTOMER).status_code == 302


def test_the_lock_ends_when_the_window_does_and_retries_do_not_extend_it(client, shop_a):
    order = delivered_order(shop_a.shop)
    started = timezone.now()
    with time_machine.travel(started, tick=False) as clock:
        guess(client, order, access.FAILURES_PER_ADDRESS)
        clock.move_to(started + timedelta(minutes=14))
        assert look_up(client, order, order.customer.email, GUESSER).status_code == 429
        clock.move_to(started + timedelta(seconds=access.RATE_WINDOW_SECONDS + 1))
        assert look_up(client, order, order.customer.email, GUESSER).status_code == 302


def test_sign_in_links_are_limited_per_email_address(client, shop_a, smtp):
    order = delivered_order(shop_a.shop)
    url = reverse("portal:request_link", args=[shop_a.shop.slug])
    for n in range(access.LINKS_PER_EMAIL):
        sent = client.post(url, {"email": order.customer.email}, REMOTE_ADDR=f"192.0.2.{n}")
        assert sent.status_code == 302
    refused = client.post(url, {"email": order.customer.email}, REMOTE_ADDR="192.0.2.200")
    assert refused.status_code == 429
