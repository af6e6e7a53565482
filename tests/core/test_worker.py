from datetime import timedelta

import time_machine
from django.utils import timezone

from aftersale.core.models import JobRun
from aftersale.core.worker import Job, run_job


def test_it_runs_a_job_once_per_interval_across_workers(db):
    calls = []
    job = Job("test.count", lambda: calls.append(1), every=timedelta(hours=24))
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert run_job(job) is True
        assert run_job(job) is False  # a second worker, or a restart, does not repeat it
        clock.shift(timedelta(hours=23))
        assert run_job(job) is False
        clock.shift(timedelta(hours=2))
        assert run_job(job) is True
    assert len(calls) == 2


def test_it_records_a_failing_job_and_carries_on(db):
    def broken():
        raise ValueError("no data")

    assert run_job(Job("test.broken", broken, every=timedelta(seconds=1))) is True
    run = JobRun.objects.get(name="test.broken")
    assert run.last_error == "ValueError: no data"
    assert run.last_finished_at is not None
