"""Every benchmark in bench/ still runs and prints its ratio (tiny sizes; the numbers are
measured with ``make bench``, never asserted here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


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


def test_the_flows_benchmark_runs():
    out = run_bench("flows/run.py", BENCH_MESSAGES="5", BENCH_CUSTOMERS="40")
    assert "ratio flows / raw SMTP" in out
    assert "start a flow for 40 customers" in out


def test_the_demo_writer_benchmark_runs():
    out = run_bench("demo/run.py", "30")
    assert "bulk_create / direct inserts =" in out


def test_the_ingest_benchmark_runs_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the ingest benchmark compares with PostgreSQL's COPY")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    out = run_bench("ingest/run.py", "--orders", "30", BENCH_POSTGRES_URL=url)
    assert "batch API" in out and "CSV import" in out
    assert out.count("ratio") == 3


def test_the_search_benchmark_runs():
    out = run_bench("search/run.py", "--customers", "200", "--repeat", "1")
    assert "baseline: one customer by primary key" in out
    assert out.count("ratio") == 18
    assert "search customers by e-mail" in out and "(1 found)" in out


def test_the_pages_benchmark_runs(tmp_path):
    out = run_bench(
        "pages/run.py",
        "--database-url",
        f"sqlite:///{tmp_path / 'pages.sqlite3'}",
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


def test_the_unclaimed_report_benchmark_runs():
    out = run_bench("unclaimed/run.py", "--parcels", "300", "--repeat", "1", SECRET_KEY="bench")
    assert "baseline: one parcel by primary key" in out
    assert out.count("ratio") == 5
    assert "report, days stored" in out and "flagged)" in out


def test_the_loyalty_benchmark_runs_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the loyalty benchmark generates its ledger in PostgreSQL")
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}_loyalty_bench"
    )
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


def test_the_recommendations_benchmark_runs():
    out = run_bench("recommendations/run.py", "--customers", "300", SECRET_KEY="bench")
    assert "python pair loop" in out and "× ours" in out
    assert "popularity" in out
