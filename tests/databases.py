"""Migrated databases for the tests that start their own processes (gunicorn, the worker,
``aftersale mail-in``, the benchmarks).

Migrating an empty database takes most of a minute on a busy two-core machine, and a dozen tests
did it each. Now a test session migrates one SQLite file and, when asked, one PostgreSQL
database, once; every such test starts from a copy (SQLite's backup API; PostgreSQL's
``CREATE DATABASE … TEMPLATE``). A copy is exactly what ``migrate`` would have made, and the
servers still run ``migrate`` where the product does (it then has nothing to do).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")

_made: dict[str, str] = {}
_workdir: Path | None = None


def _scratch() -> Path:
    global _workdir
    if _workdir is None:
        _workdir = Path(tempfile.mkdtemp(prefix="aftersale-templates-"))
    return _workdir


def migrate(database_url: str, var: Path) -> None:
    """``aftersale migrate`` in its own process, as an operator runs it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "PYTEST", "DJANGO_SETTINGS", "REDIS_URL"))
    }
    env.update(
        DATABASE_URL=database_url,
        AFTERSALE_VAR=str(var),
        SECRET_KEY=env.get("SECRET_KEY") or "templates-only-" + "k" * 40,
        PYTHONPATH=str(ROOT / "src"),
        LOG_LEVEL="WARNING",
    )
    done = subprocess.run(
        [sys.executable, "-m", "aftersale.cli", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def _sqlite_template() -> Path:
    if "sqlite" not in _made:
        path = _scratch() / "template.sqlite3"
        migrate(f"sqlite:///{path}", _scratch())
        _made["sqlite"] = str(path)
    return Path(_made["sqlite"])


def migrated_sqlite(path: Path) -> str:
    """A migrated SQLite database at ``path`` (a copy of the session's template); its URL."""
    source = sqlite3.connect(_sqlite_template())
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return f"sqlite:///{path}"


def _postgres_admin():
    import psycopg

    return psycopg.connect(POSTGRES_SERVER + "/postgres", autocommit=True, connect_timeout=5)


@contextmanager
def migrated_postgres(prefix: str = "aftersale_scratch"):
    """A new, migrated PostgreSQL database with a random name, dropped afterwards; its URL.
    Raises ``psycopg.OperationalError`` when there is no server (the caller decides whether
    that skips or fails)."""
    with _postgres_admin() as conn:
        if "postgres" not in _made:
            template = f"aftersale_template_{secrets.token_hex(4)}"
            conn.execute(f"CREATE DATABASE {template}")
            try:
                migrate(f"{POSTGRES_SERVER}/{template}", _scratch())
            except BaseException:
                conn.execute(f"DROP DATABASE IF EXISTS {template} WITH (FORCE)")
                raise
            _made["postgres"] = template
        name = f"{prefix}_{secrets.token_hex(4)}"
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {_made['postgres']}")
        try:
            yield f"{POSTGRES_SERVER}/{name}"
        finally:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def drop_templates() -> None:
    """At the end of the session: the PostgreSQL template and the scratch directory go."""
    template = _made.pop("postgres", None)
    if template:
        try:
            with _postgres_admin() as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {template} WITH (FORCE)")
        except Exception:  # the server went away: nothing left to drop
            pass
    _made.pop("sqlite", None)
    if _workdir is not None:
        import shutil

        shutil.rmtree(_workdir, ignore_errors=True)
