"""Fixtures shared by every test: two shops with an owner, a staff member and an outsider."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import pytest

from aftersale.core.models import Membership, Shop
from tests.databases import drop_templates
from tests.factories import PASSWORD, MembershipFactory, ShopFactory, UserFactory
from tests.smtp import SmtpServer


@dataclass
class Tenant:
    shop: Shop
    owner: object
    staff: object


@pytest.fixture
def shop_a(db) -> Tenant:
    shop = ShopFactory(name="Pohjola Style", slug="pohjola")
    return Tenant(
        shop=shop,
        owner=MembershipFactory(
            shop=shop, user__username="a-owner", role=Membership.Role.OWNER
        ).user,
        staff=MembershipFactory(shop=shop, user__username="a-staff").user,
    )


@pytest.fixture
def shop_b(db) -> Tenant:
    shop = ShopFactory(name="Saaristo Tech", slug="saaristo")
    return Tenant(
        shop=shop,
        owner=MembershipFactory(
            shop=shop, user__username="b-owner", role=Membership.Role.OWNER
        ).user,
        staff=MembershipFactory(shop=shop, user__username="b-staff").user,
    )


@pytest.fixture
def outsider(db):
    """A signed-up user who belongs to no shop."""
    return UserFactory(username="outsider")


@pytest.fixture
def login(client):
    """``login(user)`` signs the test client in as ``user``."""

    def do_login(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return do_login


@pytest.fixture(autouse=True)
def _no_control_group_unless_asked(request, monkeypatch):
    """Marketing flows hold 10 % of customers out, chosen by each flow's random key: a test
    about something else would then miss its message one run in ten. Nobody is held out
    unless the test is marked ``holdout`` (tests/flows/test_holdout*.py)."""
    if request.node.get_closest_marker("holdout"):
        return
    from aftersale.flows.models import Flow

    monkeypatch.setattr(Flow, "control_share", property(lambda flow: 0.0))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are created and signed in everywhere; a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


_real_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (
        host.startswith("127.") or host in {"localhost", "::1", ""} or host.startswith("/")
    ):
        raise OSError(f"tests may only reach loopback addresses, not {host!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _block_network(monkeypatch):
    """No test reaches the network beyond this machine's loopback interface."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback; Django's e-mail settings point at it. Yields its Mailbox."""
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield server.mailbox
    server.stop()


def pytest_sessionfinish(session, exitstatus):
    """The migrated templates of tests/databases.py go with the session."""
    drop_templates()


def _flush_by_deleting_rows() -> None:
    """Tests in real transactions (the browser tests' live server, the concurrency tests) empty
    every table afterwards. PostgreSQL's TRUNCATE of a hundred tables makes new files for each
    table and index and took 0.8 s on an idle machine, seconds on a busy one, per test; deleting
    the few rows a test wrote takes a few milliseconds. Django's foreign keys are checked at
    commit (DEFERRABLE INITIALLY DEFERRED), so the order of the tables does not matter. A test
    that asks for its sequences reset still gets TRUNCATE … RESTART IDENTITY."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')} "
            f"{style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]

    DatabaseOperations.sql_flush = sql_flush


_flush_by_deleting_rows()
