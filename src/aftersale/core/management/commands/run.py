"""``aftersale run``: everything a newcomer needs, in one process group."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from aftersale.core.models import Shop

# The worker and the web server stop well within 5 seconds of Ctrl-C or SIGTERM.
GRACE_SECONDS = 4


class Command(BaseCommand):
    help = "Migrate, load the demo shop if the database is empty, serve the web and run the worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo shop.")

    def handle(self, *, host: str, port: int, web_workers: int, no_demo: bool, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("Database and static files are up to date.")
        if not no_demo and not Shop.objects.exists():
            self.stdout.write("The database is empty: creating the demo shop (about a minute)…")
            call_command("demo")

        base = f"http://{host}:{port}"
        exe = [sys.executable, "-m"]
        env = dict(os.environ)
        mail_dir = settings.VAR_DIR / "mail"
        if not env.get("EMAIL_URL"):
            # Without a mail server, every e-mail the flows send is kept as a file to read.
            mail_dir.mkdir(parents=True, exist_ok=True)
            env["EMAIL_URL"] = f"file://{mail_dir}"
        web = subprocess.Popen(
            [
                *exe,
                "gunicorn",
                "aftersale.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(web_workers),
                "--access-logfile",
                "-",
                "--log-level",
                "warning",
                # Ctrl-C: requests in flight get this long before the web workers are stopped.
                "--graceful-timeout",
                str(GRACE_SECONDS),
            ],
            env=env,
        )
        worker = subprocess.Popen([*exe, "aftersale.cli", "worker"], env=env)
        self.stdout.write(self.style.SUCCESS(f"\nAftersale is running at {base}/"))
        self.stdout.write(f"  Back-office:   {base}/")
        self.stdout.write(f"  API docs:      {base}/api/v1/docs")
        self.stdout.write(f"  Django admin:  {base}/admin/")
        if env["EMAIL_URL"].startswith("file://"):
            self.stdout.write(f"  E-mails sent:  {mail_dir}/ (set EMAIL_URL to use a mail server)")
        from aftersale.demo.logins import demo_logins

        for login in demo_logins():
            self.stdout.write(f"  Login: {login}")
        self.stdout.write("Press Ctrl-C to stop the web server and the worker.\n")

        children = [web, worker]

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                try:
                    children[0].wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            stop(None, None)
            end_children(children, grace=GRACE_SECONDS)
        self.stdout.write("Stopped.")


def end_children(children: list[subprocess.Popen], *, grace: float) -> None:
    """Wait ``grace`` seconds for the stopped children, then kill what is still running (the
    worker commits every chunk of work, so a kill loses at most the chunk in progress)."""
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
