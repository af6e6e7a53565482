"""The background worker: periodic jobs registered by the apps, and queued django-tasks.

Apps register jobs in their ``AppConfig.ready``::

    from aftersale.core.worker import register_job
    register_job("flows.run_due_steps", run_due_steps, every=timedelta(seconds=1))

A job's last run is a ``JobRun`` row claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (on
PostgreSQL), so several workers never run the same job at the same time, and a daily job runs
once a day across restarts. A job does its own batching and must be safe to run again.

Stopping: Ctrl-C or SIGTERM sets a flag. A long job works in bounded chunks (each its own
transaction) and calls ``check_stop()`` between them, so the worker exits within seconds and
leaves nothing half-done; a job that stopped early is due again at the next start.
"""

from __future__ import annotations

import logging
import signal
import threading
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
_stop = threading.Event()


class Stopped(Exception):  # noqa: N818  (a request, not an error)
    """Raised by ``check_stop`` between two chunks of a job when the worker is stopping."""


def request_stop() -> None:
    """Ask the running jobs to stop at their next check (the signal handler calls this)."""
    _stop.set()


def clear_stop() -> None:
    _stop.clear()


def stop_requested() -> bool:
    return _stop.is_set()


def check_stop() -> None:
    """Call between two chunks of a long job: raises ``Stopped`` if the worker is stopping."""
    if _stop.is_set():
        raise Stopped


def register_job(name: str, func: Callable[[], object], *, every: timedelta) -> None:
    _jobs[name] = Job(name, func, every)


def registered_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


NOT_CLAIMED = object()


def _claim(job: Job):
    """Mark ``job`` started if it is due and no other worker holds it. Returns when it last
    started before (None: never), or ``NOT_CLAIMED``."""
    now = timezone.now()
    JobRun.objects.get_or_create(name=job.name)
    with transaction.atomic():
        rows = JobRun.objects.filter(name=job.name)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        run = rows.first()
        if run is None:
            return NOT_CLAIMED
        if run.last_started_at and now - run.last_started_at < job.every:
            return NOT_CLAIMED
        previous = run.last_started_at
        run.last_started_at = now
        run.save(update_fields=["last_started_at"])
    return previous


def run_job(job: Job) -> bool:
    """Run ``job`` if due. Returns True if it ran (or started and was stopped)."""
    if stop_requested():
        return False
    previous = _claim(job)
    if previous is NOT_CLAIMED:
        return False
    error = ""
    try:
        job.func()
    except Stopped:
        # Every chunk done so far is committed; the rest waits for the next start, so the job
        # is due again then (a daily job is not skipped for a day).
        logger.info("job %s stopped between chunks", job.name)
        JobRun.objects.filter(name=job.name).update(last_started_at=previous)
        return True
    except Exception as exc:  # a failing job must not stop the others
        logger.exception("job %s failed", job.name)
        error = f"{type(exc).__name__}: {exc}"
    JobRun.objects.filter(name=job.name).update(last_finished_at=timezone.now(), last_error=error)
    return True


def run_queued_tasks(max_tasks: int = 100) -> None:
    """Run tasks enqueued through django-tasks (e.g. on-demand analytics) until none is left,
    or until the worker is asked to stop (checked between tasks)."""
    from django_tasks_db.management.commands.db_worker import Worker as TaskWorker

    class StoppableTaskWorker(TaskWorker):
        @property
        def running(self) -> bool:
            return self._running and not stop_requested()

        @running.setter
        def running(self, value: bool) -> None:
            self._running = value

    if stop_requested():
        return
    StoppableTaskWorker(
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
    """One pass: every due job, then the queued tasks; a stop skips what has not started."""
    for job in registered_jobs():
        run_job(job)
    run_queued_tasks()
    close_old_connections()


class Worker:
    """Loops over ``run_once`` until SIGINT or SIGTERM. A stop interrupts the pass between two
    chunks of the running job (see ``check_stop``) and the wait between passes."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval

    def stop(self, signum, frame) -> None:
        logger.info("worker stopping: the running job ends after its current chunk")
        request_stop()

    def run(self, *, once: bool = False) -> None:
        clear_stop()
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        logger.info("worker started with jobs: %s", ", ".join(j.name for j in registered_jobs()))
        while not stop_requested():
            run_once()
            if once:
                break
            _stop.wait(self.interval)
        logger.info("worker stopped")
