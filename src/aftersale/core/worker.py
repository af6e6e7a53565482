"""The background worker: periodic jobs registered by the apps, and queued django-tasks.

Apps register jobs in their ``AppConfig.ready``::

    from aftersale.core.worker import register_job
    register_job("flows.run_due_steps", run_due_steps, every=timedelta(seconds=1))

A job's last run is a ``JobRun`` row claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (on
PostgreSQL), so several workers never run the same job at the same time, and a daily job runs
once a day across restarts. A job does its own batching and must be safe to run again.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from aftersale.core.models import JobRun

logger = logging.getLogger("aftersale.worker")


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], object]
    every: timedelta


_jobs: dict[str, Job] = {}


def register_job(name: str, func: Callable[[], object], *, every: timedelta) -> None:
    _jobs[name] = Job(name, func, every)


def registered_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def _claim(job: Job) -> bool:
    """Mark ``job`` started if it is due and no other worker holds it."""
    now = timezone.now()
    JobRun.objects.get_or_create(name=job.name)
    with transaction.atomic():
        rows = JobRun.objects.filter(name=job.name)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        run = rows.first()
        if run is None:
            return False
        if run.last_started_at and now - run.last_started_at < job.every:
            return False
        run.last_started_at = now
        run.save(update_fields=["last_started_at"])
    return True


def run_job(job: Job) -> bool:
    """Run ``job`` if due. Returns True if it ran."""
    if not _claim(job):
        return False
    error = ""
    try:
        job.func()
    except Exception as exc:  # a failing job must not stop the others
        logger.exception("job %s failed", job.name)
        error = f"{type(exc).__name__}: {exc}"
    JobRun.objects.filter(name=job.name).update(last_finished_at=timezone.now(), last_error=error)
    return True


def run_queued_tasks(max_tasks: int = 100) -> None:
    """Run tasks enqueued through django-tasks (e.g. on-demand analytics) until none is left."""
    from django_tasks_db.management.commands.db_worker import Worker as TaskWorker

    TaskWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    ).run()


def run_once() -> None:
    for job in registered_jobs():
        run_job(job)
    run_queued_tasks()
    close_old_connections()


class Worker:
    """Loops over ``run_once`` until SIGINT or SIGTERM; the current pass finishes first."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self.running = True

    def stop(self, signum, frame) -> None:
        logger.info("worker stopping after the current pass")
        self.running = False

    def run(self, *, once: bool = False) -> None:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        logger.info("worker started with jobs: %s", ", ".join(j.name for j in registered_jobs()))
        while self.running:
            run_once()
            if once:
                break
            time.sleep(self.interval)
