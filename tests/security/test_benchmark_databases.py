"""The benchmarks create and drop only databases with a random name they made themselves."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import connection

from tests.security.conftest import POSTGRES_SERVER as SERVER
from tests.security.conftest import ROOT, clean_env, postgres_admin

pytestmark = pytest.mark.slow


def server_databases(conn) -> set[str]:
    return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


@pytest.fixture
def postgres():
    with postgres_admin() as conn:
        yield conn


def test_the_ingest_benchmark_leaves_other_databases_alone(postgres):
    if connection.vendor != "postgresql":
        # It needs the server whatever the suite runs on; once is enough: in the PostgreSQL pass
        # (make ci runs both passes at once, and the bystander's name is fixed).
        pytest.skip("runs in the PostgreSQL pass")
    # The name the benchmark once dropped WITH (FORCE), whoever owned it.
    bystander = "aftersale_bench_ingest"
    postgres.execute(f"DROP DATABASE IF EXISTS {bystander}")
    postgres.execute(f"CREATE DATABASE {bystander}")
    before = server_databases(postgres)
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "ingest" / "run.py"), "--orders", "5"],
            env=clean_env(BENCH_POSTGRES_URL=SERVER),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert "PostgreSQL database aftersale_bench_" in result.stdout
        created = result.stdout.split("PostgreSQL database ", 1)[1].split(":", 1)[0]
        assert created != bystander and created not in before
        after = server_databases(postgres)
        assert bystander in after
        # Its own database is gone too. (Other work on a shared server may create or drop
        # databases meanwhile, so only the two names that matter are compared.)
        assert created not in after
    finally:
        postgres.execute(f"DROP DATABASE IF EXISTS {bystander}")
