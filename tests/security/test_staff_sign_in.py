"""Staff sign-in is throttled per account and per address: past the limit even the right
password is refused, with a clear message and an audit entry, until the window ends."""

from __future__ import annotations

import logging
from datetime import timedelta

import time_machine
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from aftersale.core import signin
from tests.factories import PASSWORD

LOCKED = "Too many failed sign-ins for this account or from this address."


def sign_in(client, username, password, address="198.51.100.7"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_does_not_sign_in(client, shop_a, caplog):
    user = shop_a.staff
    caplog.set_level(logging.WARNING, logger="aftersale.security")
    for n in range(30):
        sign_in(client, user.username, f"wrong-{n}")
    response = sign_in(client, user.username, PASSWORD)
    assert response.status_code == 200
    assert not signed_in(client)
    assert LOCKED in response.content.decode()
    entry = LogEntry.objects.get(object_id=str(user.pk))
    assert "Sign-in locked for 15 minutes" in entry.change_message
    assert "198.51.100.7" in entry.change_message
    assert any("Sign-in locked" in record.getMessage() for record in caplog.records)


def test_the_account_lock_holds_from_any_address_and_in_the_django_admin(client, shop_a):
    user = shop_a.owner
    for n in range(signin.FAILURES_PER_ACCOUNT):
        sign_in(client, user.username, "wrong", address=f"203.0.113.{n}")
    assert LOCKED in sign_in(client, user.username, PASSWORD, "192.0.2.1").content.decode()
    client.post(
        "/admin/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.2"
    )
    assert not signed_in(client)


def test_one_address_guessing_many_accounts_is_locked_out_others_are_not(client, shop_a):
    for n in range(signin.FAILURES_PER_ADDRESS):
        sign_in(client, f"nobody-{n}", "wrong", address="203.0.113.9")
    locked = sign_in(client, shop_a.staff.username, PASSWORD, address="203.0.113.9")
    assert LOCKED in locked.content.decode() and not signed_in(client)
    sign_in(client, shop_a.staff.username, PASSWORD, address="198.51.100.8")
    assert signed_in(client)


def test_a_few_typos_do_not_lock_and_the_lock_ends_after_the_window(client, shop_a):
    user = shop_a.staff
    started = timezone.now()
    with time_machine.travel(started, tick=False) as clock:
        for _ in range(signin.FAILURES_PER_ACCOUNT - 1):
            sign_in(client, user.username, "typo")
        sign_in(client, user.username, PASSWORD)
        assert signed_in(client)
        client.logout()
        sign_in(client, user.username, "typo")  # the tenth failure: locked
        assert LOCKED in sign_in(client, user.username, PASSWORD).content.decode()
        clock.move_to(started + timedelta(seconds=signin.WINDOW_SECONDS + 1))
        sign_in(client, user.username, PASSWORD)
        assert signed_in(client)
