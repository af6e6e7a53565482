"""A real deployment for the security tests: a migrated database and gunicorn with several
workers, as docs/operators/deployment.md runs it."""

from __future__ import annotations

import http.cookiejar
import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.databases import migrated_sqlite
from tests.security.conftest import ROOT, free_port, run_python, server_env

SETUP = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from aftersale.core.services import create_api_token, create_shop
shop = create_shop(name="Limits", slug="limits")
_token, plain = create_api_token(shop, name="limits")
print(json.dumps({"token": plain}))
"""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Server:
    base: str
    token: str
    process: subprocess.Popen
    log: Path
    api_limit: int = 1200

    def request(self, path: str, *, data: dict | None = None, headers=None) -> Reply:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        opener = urllib.request.build_opener(NoRedirects)
        try:
            with opener.open(request, timeout=30) as reply:
                return Reply(reply.status, dict(reply.headers), reply.read().decode())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, dict(exc.headers), exc.read().decode())

    def csrf(self, path: str) -> str:
        """A CSRF token and its cookie, as a browser that opened ``path`` has them."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(self.base + path, timeout=30):
            pass
        return next(cookie.value for cookie in jar if cookie.name == "csrftoken")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@contextmanager
def gunicorn(tmp_path: Path, workers: int = 3, **env: str):
    """gunicorn with ``workers`` processes on a fresh SQLite database (or ``DATABASE_URL``),
    a copy of the session's migrated one (``migrate`` then has nothing left to do)."""
    environment = server_env(tmp_path, **env)
    if environment["DATABASE_URL"].startswith("sqlite:///"):
        migrated_sqlite(Path(environment["DATABASE_URL"].removeprefix("sqlite:///")))
    setup = run_python(SETUP, environment)
    assert setup.returncode == 0, setup.stderr[-3000:]
    token = json.loads(setup.stdout.strip().splitlines()[-1])["token"]
    port = free_port()
    log = tmp_path / "gunicorn.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "aftersale.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(workers)],
        env=environment,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", token, process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if server.request("/login/").status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
