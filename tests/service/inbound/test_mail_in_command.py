"""``aftersale mail-in`` as operators run it: a process that listens, turns mail into tickets,
answers 451 while the database is away, and stops soon after SIGTERM or Ctrl-C.

Readiness is the line the command prints once it listens, waited for with a generous
deadline (a busy machine is slow, never wrong).
"""

from __future__ import annotations

import os
import queue
import signal
import smtplib
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.databases import migrated_sqlite
from tests.service.inbound.mails import customer_mail
from tests.smtp import free_port

# Its processes run on their own SQLite file, whichever database the suite uses.
pytestmark = [pytest.mark.slow, pytest.mark.own_database]

ROOT = Path(__file__).resolve().parents[3]
READY_SECONDS = 300
STOP_SECONDS = 30  # generous bound; the receiver itself closes within 5 s


def environment(tmp_path, database_url):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "EMAIL_", "PYTEST", "DJANGO_SETTINGS", "MAIL_IN"))
    }
    env.update(
        DATABASE_URL=database_url,
        AFTERSALE_VAR=str(tmp_path),
        MEDIA_ROOT=str(tmp_path / "media"),
        SECRET_KEY=env.get("SECRET_KEY") or "tests-only-key-never-used-by-a-server-0123456789",
        SUPPORT_REPLY_ADDRESS="support@help.example",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        PYTHONUNBUFFERED="1",
    )
    return env


def start(env, *extra):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aftersale.cli", "mail-in", "--port", str(port), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def read():
        for line in process.stdout:
            output.append(line)
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        if line.startswith("mail-in: "):
            process.output = output
            return process, port, line
    process.kill()
    raise AssertionError("mail-in did not start:\n" + "".join(output))


def stop(process, signum=signal.SIGTERM) -> float:
    process.send_signal(signum)
    signalled = time.monotonic()
    process.wait(timeout=STOP_SECONDS)
    return time.monotonic() - signalled


def test_the_command_turns_mail_into_a_ticket_and_stops_on_sigterm(tmp_path):
    database = tmp_path / "mail-in.sqlite3"
    env = environment(tmp_path, f"sqlite:///{database}")
    migrated_sqlite(database)
    seed = (
        "from aftersale.core.models import Shop; "
        "Shop.objects.create(name='Pohjola', slug='pohjola', contact_email='tuki@pohjola.example')"
    )
    shell = [sys.executable, "-m", "aftersale.cli", "shell", "-c", seed]
    seeded = subprocess.run(shell, cwd=ROOT, env=env, capture_output=True, timeout=600)
    assert seeded.returncode == 0, seeded.stderr.decode()

    process, port, line = start(env)
    try:
        assert f"SMTP on 127.0.0.1:{port}" in line
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            assert client.send_message(customer_mail()) == {}
            to = ["x@pohjola.example", "tuki@pohjola.example"]
            refused = client.send_message(customer_mail(subject="Toinen"), to_addrs=to)
            assert refused["x@pohjola.example"][0] == 550
        idle = smtplib.SMTP("127.0.0.1", port, timeout=60)  # a session left open
        idle.ehlo()
        took = stop(process)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, "".join(process.output)
    assert took < STOP_SECONDS
    with sqlite3.connect(database) as db:
        tickets = db.execute("select subject, source from service_ticket order by id").fetchall()
    assert tickets == [("Missä pakettini on?", "email"), ("Toinen", "email")]


def test_it_answers_451_while_the_database_is_away_and_stops_on_ctrl_c(tmp_path):
    # Nothing listens on this port: every database query fails to connect.
    env = environment(tmp_path, f"postgres://postgres@127.0.0.1:{free_port()}/aftersale_gone")
    process, port, _line = start(env, "--lmtp")
    try:
        with smtplib.LMTP("127.0.0.1", port, timeout=60) as client:
            client.ehlo_or_helo_if_needed()
            client.mail("matti@example.fi")
            code, text = client.rcpt("tuki@pohjola.example")
        assert code == 451, text
        stop(process, signal.SIGINT)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, "".join(process.output)
