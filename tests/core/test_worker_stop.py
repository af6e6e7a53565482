"""The worker stops within seconds of Ctrl-C or SIGTERM: a long job checks the stop flag
between chunks, commits each chunk whole, and is due again at the next start.

The walk-through's ``aftersale run`` ignored Ctrl-C for minutes while the worker opened
unclaimed-parcel cases one by one.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models.signals import post_save

from aftersale.core import worker
from aftersale.core.models import JobRun
from aftersale.returns import unclaimed
from aftersale.returns.models import UnclaimedCase
from aftersale.timeline import types
from aftersale.timeline.models import Event
from aftersale.timeline.services import record_event
from tests.databases import migrated_sqlite
from tests.factories import ShipmentFactory
from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_stop_left_over():
    worker.clear_stop()
    yield
    worker.clear_stop()


def returned_parcels(shop, count):
    parcels = [ShipmentFactory(order__shop=shop, status="returned_to_sender") for _ in range(count)]
    for parcel in parcels:
        record_event(shop, types.SHIPMENT_RETURNED_TO_SENDER, subject=parcel)
    return parcels


@pytest.fixture
def stop_after_first_case():
    """Ctrl-C arrives while the first case is being opened."""

    def stop(sender, instance, created, **kwargs):
        if created:
            worker.request_stop()

    post_save.connect(stop, sender=UnclaimedCase, dispatch_uid="test-stop")
    yield lambda: post_save.disconnect(sender=UnclaimedCase, dispatch_uid="test-stop")
    post_save.disconnect(sender=UnclaimedCase, dispatch_uid="test-stop")


def test_a_long_job_stops_between_chunks_and_leaves_each_chunk_whole(
    shop_a, stop_after_first_case, django_capture_on_commit_callbacks
):
    returned_parcels(shop_a.shop, 5)
    job = next(j for j in worker.registered_jobs() if j.name == "returns.open_unclaimed_cases")

    with django_capture_on_commit_callbacks(execute=True):
        assert worker.run_job(job) is True

    # One case, opened whole: its timeline event is there; the other four wait.
    [case] = UnclaimedCase.objects.all()
    assert Event.objects.filter(type=types.UNCLAIMED_CASE_OPENED, subject_id=case.pk).count() == 1
    # The job is due again at once, not in 5 minutes.
    assert JobRun.objects.get(name=job.name).last_started_at is None

    stop_after_first_case()  # the next start is not interrupted
    worker.clear_stop()
    assert unclaimed.open_cases_from_timeline() == 4
    assert UnclaimedCase.objects.count() == 5


def test_a_stopped_daily_job_runs_again_at_the_next_start(db):
    chunks = []

    def nightly():
        for chunk in range(3):
            worker.check_stop()
            chunks.append(chunk)
            worker.request_stop()  # SIGTERM arrives during the first chunk

    job = worker.Job("test.nightly", nightly, every=timedelta(hours=24))
    assert worker.run_job(job) is True
    assert chunks == [0]
    assert worker.run_job(job) is False  # nothing starts while stopping
    worker.clear_stop()
    chunks.clear()
    assert worker.run_job(job) is True  # due at once after the restart: the day is not lost
    assert chunks == [0]


def test_nothing_starts_after_a_stop(db):
    ran = []
    worker.request_stop()
    assert (
        worker.run_job(worker.Job("test.any", lambda: ran.append(1), every=timedelta(0))) is False
    )
    assert ran == []


@pytest.mark.slow
@pytest.mark.own_database
def test_a_worker_in_a_long_job_exits_soon_after_sigterm(tmp_path):
    """The real ``aftersale worker``: SIGTERM while it waits for the SMTP server's reply to its
    first notice. It finishes that case (notice sent and recorded) and opens no other."""
    server = SmtpServer().start()
    server.mailbox.hold()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "EMAIL_", "PYTEST", "DJANGO_SETTINGS"))
    }
    db = tmp_path / "stop.sqlite3"
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        AFTERSALE_VAR=str(tmp_path),
        EMAIL_URL=server.url,
        DJANGO_SETTINGS_MODULE="aftersale.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        LOG_LEVEL="INFO",
    )

    def run(*args):
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, timeout=600
        )

    migrated_sqlite(db)
    seeded = run("-m", "tests.core.stop_seed")
    assert seeded.returncode == 0, seeded.stderr.decode()
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "aftersale.cli", "worker", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        # However busy the machine, the first notice arrives; the worker now waits for the reply.
        assert server.mailbox.arrived.wait(timeout=300), log.read_text()
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        server.mailbox.release()
        process.wait(timeout=120)
        took = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
        server.stop()
    output = log.read_text()
    assert process.returncode == 0, output
    assert "worker stopped" in output
    assert took < 60, f"the worker took {took:.1f} s to stop"  # in practice well under 5 s
    with sqlite3.connect(db) as conn:
        cases = conn.execute(
            "select id, customer_notified_at from returns_unclaimedcase"
        ).fetchall()
        opened = conn.execute(
            "select count(*) from timeline_event where type = 'unclaimed_case.opened'"
        ).fetchone()[0]
    assert len(cases) == 1 and cases[0][1] is not None  # finished whole: notice recorded
    assert opened == 1
    assert len(server.mailbox) == 1
