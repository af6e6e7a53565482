"""Turning on HTTPS=1 (and with it the hashed static files manifest) after collectstatic ran
without it must not answer every HTML page with a 500."""

from __future__ import annotations

import json

import pytest

from tests.databases import migrated_sqlite
from tests.security.conftest import run_python, server_env

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

RENDER = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
pages = {}
for path in ["/login/", "/api/v1/docs"]:
    reply = Client(raise_request_exception=False).get(path, secure=True)
    pages[path] = [reply.status_code, reply.content.decode()]
print(json.dumps(pages))
"""


def collectstatic(env) -> None:
    collected = run_python(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('collectstatic', interactive=False, verbosity=0)",
        env,
    )
    assert collected.returncode == 0, collected.stderr


def test_pages_render_when_https_is_set_after_collectstatic(tmp_path):
    env = server_env(tmp_path, LOG_LEVEL="ERROR")
    migrated_sqlite(tmp_path / "server.sqlite3")
    collectstatic(env)
    assert not (tmp_path / "static" / "staticfiles.json").exists()  # no manifest yet
    rendered = run_python(RENDER, {**env, "HTTPS": "1", "ALLOWED_HOSTS": "testserver"})
    assert rendered.returncode == 0, rendered.stderr[-3000:]
    pages = json.loads(rendered.stdout.strip().splitlines()[-1])
    status, html = pages["/login/"]
    assert status == 200, html[-2000:]
    assert "/static/aftersale/aftersale.css" in html
    assert pages["/api/v1/docs"][0] == 200


def test_after_collectstatic_with_https_the_hashed_names_are_used(tmp_path):
    env = server_env(tmp_path, LOG_LEVEL="ERROR", HTTPS="1", ALLOWED_HOSTS="testserver")
    migrated_sqlite(tmp_path / "server.sqlite3")
    collectstatic(env)
    rendered = run_python(RENDER, env)
    assert rendered.returncode == 0, rendered.stderr[-3000:]
    status, html = json.loads(rendered.stdout.strip().splitlines()[-1])["/login/"]
    assert status == 200
    assert "/static/aftersale/aftersale." in html and "/static/aftersale/aftersale.css" not in html
