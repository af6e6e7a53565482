"""A worker killed between sending and recording loses nothing and sends at most one duplicate
per message in flight.

This runs the real ``aftersale worker`` in a subprocess against a file SQLite database and
kills it with SIGKILL while the SMTP server holds its reply to DATA (the message has arrived,
the worker has not heard back). A restarted worker resends it once and records it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.databases import migrated_sqlite
from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
# Its processes run on their own SQLite file, whichever database the suite uses.
pytestmark = [pytest.mark.slow, pytest.mark.own_database]


def run(args: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "aftersale.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **kwargs,
    )


@pytest.fixture
def server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def orders_count() -> int:
    return 1


@pytest.fixture
def environment(tmp_path, server, orders_count):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "EMAIL_", "PYTEST", "DJANGO_SETTINGS"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'crash.sqlite3'}",
        AFTERSALE_VAR=str(tmp_path),
        EMAIL_URL=server.url,
        SITE_URL="https://aftersale.example",
        DJANGO_SETTINGS_MODULE="aftersale.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        LOG_LEVEL="WARNING",
        CRASH_ORDERS=str(orders_count),
    )
    migrated_sqlite(tmp_path / "crash.sqlite3")
    seed = subprocess.run(
        [sys.executable, "-m", "tests.flows.crash_seed"], cwd=ROOT, env=env, capture_output=True
    )
    assert seed.returncode == 0, seed.stderr.decode()
    return env, tmp_path / "crash.sqlite3"


def wait_for(condition, timeout: float) -> bool:
    """Poll ``condition`` while a real worker process does its work (it runs in real time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_it_resends_at_most_once_after_a_worker_is_killed_mid_send(environment, server):
    env, db = environment
    mailbox = server.mailbox
    mailbox.hold()

    worker = run(["worker", "--interval", "0.1"], env)
    try:
        assert mailbox.arrived.wait(timeout=120), "the worker never sent the message"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    mailbox.release()

    # The message reached the server, but the dead worker never recorded it as sent.
    assert len(mailbox) == 1
    assert query(db, "select state, send_attempts from flows_message") == [("pending", 1)]
    assert query(db, "select state from flows_steprun") == [("running",)]

    restarted = run(["worker", "--interval", "0.1"], env)
    try:
        recorded = wait_for(
            lambda: query(db, "select state from flows_message") == [("sent",)], timeout=120
        )
        assert recorded, "the restarted worker did not recover the message"
        # A few more passes: nothing is sent a third time.
        passes = query(db, "select last_started_at from core_jobrun where name like 'flows.%'")
        wait_for(
            lambda: (
                query(db, "select last_started_at from core_jobrun where name like 'flows.%'")
                != passes
            ),
            timeout=30,
        )
    finally:
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=60) == 0, restarted.stderr.read().decode()

    # Recovered: sent once more (the documented worst case), then recorded; never a third time.
    assert len(mailbox) == 2
    first, second = mailbox.messages
    assert first.header("Message-ID") == second.header("Message-ID")
    assert first.subject == second.subject == "Kiitos tilauksestasi 777"
    assert query(db, "select state, send_attempts from flows_message") == [("sent", 2)]
    assert query(db, "select state from flows_steprun") == [("done",)]
    assert query(db, "select state from flows_flowrun") == [("completed",)]


@pytest.mark.parametrize("orders_count", [5])
def test_a_worker_killed_mid_batch_resends_only_the_messages_it_had_sent(
    environment, server, orders_count
):
    env, db = environment
    mailbox = server.mailbox
    mailbox.hold_at = 3  # three messages of the batch reach the server; the third hears nothing

    worker = run(["worker", "--interval", "0.1"], env)
    try:
        assert wait_for(lambda: mailbox.held is not None, timeout=120), "nothing was sent"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    mailbox.hold_at = None
    mailbox.release()
    assert len(mailbox) == 3
    assert query(db, "select count(*) from flows_message where state = 'pending'") == [(5,)]

    restarted = run(["worker", "--interval", "0.1"], env)
    try:
        assert wait_for(
            lambda: query(db, "select count(*) from flows_message where state = 'sent'") == [(5,)],
            timeout=120,
        ), "the restarted worker did not finish the batch"
    finally:
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=60) == 0, restarted.stderr.read().decode()

    copies = Counter(m.header("Message-ID") for m in mailbox.messages)
    # The three messages the killed worker had sent arrive twice, the other two once.
    assert sorted(copies.values()) == [1, 1, 2, 2, 2]
    assert query(db, "select state from flows_steprun") == [("done",)] * 5


@pytest.mark.parametrize("orders_count", [6])
def test_a_worker_killed_while_the_next_batch_is_ready_resends_only_what_it_had_sent(
    environment, server, orders_count
):
    """The worker prepares (writes) the next batch while one is sent; a kill then leaves two
    batches pending, but only the messages that had reached the server arrive twice."""
    env, db = environment
    env = {**env, "FLOWS_BATCH_SIZE": "3"}
    mailbox = server.mailbox
    mailbox.hold_at = (
        2  # two messages of the first batch reach the server; the second hears nothing
    )

    worker = run(["worker", "--interval", "0.1"], env)
    try:
        assert wait_for(lambda: mailbox.held is not None, timeout=120), "nothing was sent"
        # The second batch is written while the first one waits for the server.
        pending = "select count(*) from flows_message where state = 'pending'"
        assert wait_for(lambda: query(db, pending) == [(6,)], timeout=120)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    mailbox.hold_at = None
    mailbox.release()
    assert len(mailbox) == 2

    restarted = run(["worker", "--interval", "0.1"], env)
    try:
        assert wait_for(
            lambda: query(db, "select count(*) from flows_message where state = 'sent'") == [(6,)],
            timeout=120,
        ), "the restarted worker did not finish the batches"
    finally:
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=60) == 0, restarted.stderr.read().decode()

    copies = Counter(m.header("Message-ID") for m in mailbox.messages)
    # The two messages the killed worker had sent arrive twice, the other four once.
    assert sorted(copies.values()) == [1, 1, 1, 1, 2, 2]
    assert query(db, "select state from flows_steprun") == [("done",)] * 6
