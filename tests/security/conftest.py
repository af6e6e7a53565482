"""Helpers for the security tests: subprocesses with a chosen environment, free ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.databases import migrated_postgres

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without any Aftersale or Django setting, plus ``overrides``."""
    dropped = {
        "SECRET_KEY",
        "SECRET_KEY_FALLBACKS",
        "DEBUG",
        "HTTPS",
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "REDIS_URL",
        "AFTERSALE_VAR",
        "AFTERSALE_HOME",
    }
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env["PYTHONPATH"] = str(ROOT / "src")
    env.update(overrides)
    return env


def server_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a server on a fresh SQLite database in ``tmp_path``."""
    settings = {
        "DJANGO_SETTINGS_MODULE": "aftersale.settings",
        "SECRET_KEY": "security-tests-" + "k" * 50,
        "AFTERSALE_VAR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'server.sqlite3'}",
        "LOG_LEVEL": "WARNING",
    }
    return clean_env(**{**settings, **overrides})


def run_python(code: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def required_service(name: str, reason: str) -> None:
    """Skip locally with ``reason``; in CI (CI=true) a missing service fails the test."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is required in CI (CI=true): {reason}")
    pytest.skip(f"{name} is not available: {reason}")


POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


def postgres_admin():
    """An autocommit connection to the PostgreSQL server's ``postgres`` database."""
    import psycopg

    try:
        return psycopg.connect(POSTGRES_SERVER + "/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        required_service("PostgreSQL", f"no server at {POSTGRES_SERVER}: {exc}")


@contextmanager
def scratch_postgres_database():
    """A new, migrated database with a random name, dropped afterwards; yields its URL."""
    postgres_admin().close()  # no server: skipped here, failed in CI
    with migrated_postgres("aftersale_security") as url:
        yield url
