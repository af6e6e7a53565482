"""The ``aftersale`` command."""

import os
import subprocess
import sys


def test_analyze_needs_no_server_and_no_database(tmp_path):
    orders = tmp_path / "orders.csv"
    rows = ["order_id,customer_id,ordered_at,amount"]
    for customer in range(30):
        for k in range(1 + customer % 4):
            rows.append(
                f"o{customer}-{k},c{customer},2025-{1 + 3 * k:02d}-{1 + customer % 27:02d},"
                f"{20 + customer + 7 * k}.50"
            )
    orders.write_text("\n".join(rows) + "\n")
    out = tmp_path / "report.html"
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env["AFTERSALE_VAR"] = str(tmp_path / "nowhere")  # nothing may be created there
    result = subprocess.run(
        [sys.executable, "-m", "aftersale.cli", "analyze", str(orders), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org", "")
    assert not (tmp_path / "nowhere").exists()


def test_analyze_names_the_bad_row(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,customer_id,ordered_at,amount\no1,c1,2025-01-01,10\no2,c1,yesterday,5\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "aftersale.cli",
            "analyze",
            str(orders),
            "--out",
            str(tmp_path / "r.html"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "row 3" in result.stderr and "ordered_at" in result.stderr
    assert "Traceback" not in result.stderr
