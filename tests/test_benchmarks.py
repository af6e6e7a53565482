"""Every benchmark in bench/ still runs and prints its ratio (tiny sizes; the numbers are
measured with ``make bench``, never asserted here).

Each starts from a copy of the session's migrated database (tests/databases.py) instead of
migrating its own; the PostgreSQL ones use the server directly, whichever database the suite
itself runs on, so the module runs once in ``make ci``, in its PostgreSQL pass (see the
``benchmark`` marker)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import POSTGRES_SERVER, migrated_sqlite
from tests.security.conftest import postgres_admin

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.own_database, pytest.mark.benchmark]


@pytest.fixture
def database(tmp_path) -> str:
    """A migrated, empty SQLite database for one benchmark; its URL."""
    return migrated_sqlite(tmp_path / "bench.sqlite3")


@pytest.fixture
def postgres_server() -> str:
    """The PostgreSQL server's URL (required in CI; skipped with a reason elsewhere)."""
    postgres_admin().close()
    return POSTGRES_SERVER


def run_bench(script: str, *args: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=1200,  # generous: a busy machine must not fail it
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **env},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_the_flows_benchmark_runs(database):
    out = run_bench(
        "flows/run.py", BENCH_MESSAGES="5", BENCH_CUSTOMERS="40", BENCH_DATABASE_URL=database
    )
    assert "ratio flows / raw SMTP" in out
    assert "start a flow for 40 customers" in out


def test_the_demo_writer_benchmark_runs(database):
    out = run_bench("demo/run.py", "30", BENCH_DATABASE_URL=database)
    assert "bulk_create / direct inserts =" in out


def test_the_ingest_benchmark_runs_on_postgresql(postgres_server):
    out = run_bench("ingest/run.py", "--orders", "30", BENCH_POSTGRES_URL=postgres_server)
    assert "batch API" in out and "CSV import" in out
    assert out.count("ratio") == 3


def test_the_search_benchmark_runs(database):
    out = run_bench(
        "search/run.py", "--customers", "200", "--repeat", "1", BENCH_DATABASE_URL=database
    )
    assert "baseline: one customer by primary key" in out
    assert out.count("ratio") == 18
    assert "search customers by e-mail" in out and "(1 found)" in out


def test_the_pages_benchmark_runs(database):
    out = run_bench(
        "pages/run.py",
        "--database-url",
        database,
        "--customers",
        "30",
        "--seconds",
        "0.2",
        "--requests",
        "10",
        "--warmup",
        "1",
    )
    assert "ratio pages / hello-world" in out
    for page in ("dashboard", "portal lookup", "tracking page", "API orders list"):
        assert f"\n{page} " in out
    assert "errors" not in out


def test_the_unclaimed_report_benchmark_runs(database):
    out = run_bench(
        "unclaimed/run.py", "--parcels", "300", "--repeat", "1",
        SECRET_KEY="bench", BENCH_DATABASE_URL=database,
    )  # fmt: skip
    assert "baseline: one parcel by primary key" in out
    assert out.count("ratio") == 5
    assert "report, days stored" in out and "flagged)" in out


def test_the_loyalty_benchmark_runs_on_postgresql(postgres_server):
    url = f"{postgres_server}/aftersale_loyalty_bench_{os.getpid()}"
    out = run_bench("loyalty/run.py", "--tiny", "--drop", "--database-url", url)
    assert "balance lookup, median of 11" in out
    assert "nightly vesting of 100 orders" in out and "(100 vested" in out
    assert out.count("ratio") == 2


def test_the_analytics_reading_benchmark_runs(tmp_path):
    out = run_bench(
        "analytics/bench_reading.py", "--lines", "20000", "--dir", str(tmp_path), "--format", "both"
    )
    assert out.count("ratio:") == 2 and "less CPU" in out
    assert out.count("aftersale:") == 2 and out.count("pandas:") == 2


def test_the_gamma_gamma_benchmark_runs_without_lifetimes():
    out = run_bench("analytics/bench_gammagamma.py", "--customers", "20000", "--repeat", "1",
                    "--skip-lifetimes")  # fmt: skip
    assert "Gamma-Gamma fit" in out and "predictions" in out


def test_the_recommendations_benchmark_runs(database):
    out = run_bench(
        "recommendations/run.py", "--customers", "300", SECRET_KEY="bench",
        BENCH_DATABASE_URL=database,
    )  # fmt: skip
    assert "python pair loop" in out and "× ours" in out
    assert "popularity" in out
