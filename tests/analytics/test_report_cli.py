"""``aftersale analyze`` end to end: CSV in, one offline HTML file out, clear input errors."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest

from aftersale.analytics.report import main

ORDERS_HEADER = "order_id,customer_id,ordered_at,amount,cost,sku\n"


def write_shop(tmp_path: Path) -> tuple[Path, Path]:
    """A small shop: 60 customers over a year, some repeat buyers, some returns."""
    rng = np.random.default_rng(3)
    lines = [ORDERS_HEADER]
    order = 0
    for customer in range(60):
        first = int(rng.integers(0, 200))
        visits = [first] + sorted(int(first + d) for d in rng.integers(1, 160, rng.integers(0, 5)))
        for day in visits:
            order += 1
            date = np.datetime64("2024-01-01") + np.timedelta64(day, "D")
            sku = ["dress", "shirt", "socks"][order % 3]
            amount = 20 + (order * 7) % 50
            lines.append(
                f"o{order},cust{customer},{date}T10:15:00,{amount}.50,{amount * 0.5:.2f},{sku}\n"
            )
    orders = tmp_path / "orders.csv"
    orders.write_text("".join(lines))
    returns = tmp_path / "returns.csv"
    returns.write_text(
        "order_id,returned_amount,sku,reason,return_shipping,unclaimed,unclaimed_cost\n"
        "o1,20.50,dress,too small,4.90,false,\n"
        "o4,,,,,true,9.90\n"
        "o7,20.50,dress,colour,4.90,no,\n"
    )
    return orders, returns


def test_it_writes_a_self_contained_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders, returns = write_shop(tmp_path)
    out = tmp_path / "report.html"
    assert main([str(orders), "--returns", str(returns), "--out", str(out)]) == 0
    html = out.read_text()
    progress = capsys.readouterr().err
    assert "Reading orders.csv" in progress and "Done" in progress
    assert "<svg" in html
    assert not re.search(r"https?://|<script|<link", html)  # nothing to fetch: works offline
    for heading in (
        "Summary", "Segments", "Customer lifetime value", "Cohort retention",
        "Gross vs net revenue", "Top customers by CLV", "Products by return rate",
    ):  # fmt: skip
        assert f"<h2>{heading}</h2>" in html
    assert ">60<" in html  # customers
    assert "Serial returners" in html and "champions" in html
    assert "too small" in html  # top return reason of the dress


def test_it_reports_a_bad_date_with_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = tmp_path / "orders.csv"
    rows = [f"o{i},c{i % 3},2024-02-0{i},10.00\n" for i in range(1, 6)]
    rows.insert(5, "o9,c1,2024-02-31,10.00\n")  # the sixth data row: row 7 of the file
    orders.write_text("order_id,customer_id,ordered_at,amount\n" + "".join(rows))
    code = main([str(orders), "--out", str(tmp_path / "r.html")])
    err = capsys.readouterr().err
    assert code == 2
    assert "row 7" in err and "column 'ordered_at'" in err and "2024-02-31" in err
    assert "ISO" in err  # says what to do
    assert "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("order_id,customer_id,amount\no1,c1,10\n", "missing column(s) ordered_at"),
        (
            "order_id,customer_id,ordered_at,amount\no1,c1,2024-01-01,12€\n",
            "row 2, column 'amount'",
        ),
        (
            "order_id,customer_id,ordered_at,amount\no1,,2024-01-01,12\n",
            "row 2, column 'customer_id'",
        ),
        ("order_id,customer_id,ordered_at,amount\n", "no order lines"),
        ("", "the file is empty"),
    ],
)
def test_it_explains_malformed_orders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(content)
    assert main([str(orders), "--out", str(tmp_path / "r.html")]) == 2
    assert expected in capsys.readouterr().err


def test_it_explains_returns_of_unknown_orders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders, _ = write_shop(tmp_path)
    returns = tmp_path / "returns.csv"
    returns.write_text("order_id,returned_amount\no1,5\nnope,5\n")
    assert main([str(orders), "--returns", str(returns), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "returns.csv, row 3, column 'order_id'" in err and "nope" in err


def test_it_reads_semicolons_decimal_commas_and_cents(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "Order ID;Customer ID;Ordered at;Amount\n"
        "o1;c1;2024-01-01;12,50\no2;c1;2024-02-01;7,50\no3;c2;2024-01-15;1 000,00\n"
    )
    from aftersale.analytics.csv_import import read_orders

    lines = read_orders(orders)
    assert lines.amount.tolist() == [12.5, 7.5, 1000.0]
    cents = tmp_path / "cents.csv"
    cents.write_text("order_id,customer_id,ordered_at,amount_cents\no1,c1,2024-01-01,1250\n")
    assert read_orders(cents).amount.tolist() == [12.5]


def test_a_missing_file_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "nope.csv")]) == 2
    assert "cannot open" in capsys.readouterr().err


def test_it_analyses_as_of_an_earlier_date_with_pareto_nbd(tmp_path: Path) -> None:
    orders, returns = write_shop(tmp_path)
    out = tmp_path / "report.html"
    args = [str(orders), "--returns", str(returns), "--out", str(out)]
    assert main([*args, "--model", "paretonbd", "--as-of", "2024-06-30", "--margin", "0.4"]) == 0
    html = out.read_text()
    assert "2024-06-30" in html and "ParetoNBDModel" in html
    assert "2024-07" not in html  # later orders are left out everywhere, charts included


def test_a_bad_option_value_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders, _ = write_shop(tmp_path)
    assert main([str(orders), "--as-of", "yesterday", "--out", str(tmp_path / "r.html")]) == 2
    assert "--as-of" in capsys.readouterr().err


def test_the_library_and_the_command_do_not_import_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, aftersale.analytics, aftersale.analytics.report; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'pandas', 'polars')]; "
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    src = Path(__file__).resolve().parents[2] / "src"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True,
        env={"PYTHONPATH": str(src), "PATH": ""},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_time_buyers_get_their_own_segments_and_the_report_explains_p_alive(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(8)
    lines = ["order_id,customer_id,ordered_at,amount\n"]
    order = 0
    for customer in range(400):
        first = int(rng.integers(0, 300))
        repeats = int(rng.integers(1, 6)) if customer % 6 == 0 else 0  # about 83 % buy once
        for day in [first, *sorted(int(first + d) for d in rng.integers(1, 60, repeats))]:
            order += 1
            date = np.datetime64("2024-01-01") + np.timedelta64(day, "D")
            lines.append(f"{order},{customer},{date},{20 + order % 30}.00\n")
    orders = tmp_path / "orders.csv"
    orders.write_text("".join(lines))
    out = tmp_path / "report.html"
    assert main([str(orders), "--out", str(out), "--quiet"]) == 0
    html = out.read_text()
    assert "<h2>One-time buyers</h2>" in html
    assert "P(alive) is 100 % for every customer who bought once" in html
    assert "one time recent" in html and "one time lapsed" in html
    assert "nan" not in html


def test_figures_without_a_model_show_a_dash_not_zero_or_nan(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,customer_id,ordered_at,amount\no1,a,2024-01-01,10\no2,b,2024-01-05,20\n"
    )
    out = tmp_path / "r.html"
    assert main([str(orders), "--out", str(out)]) == 0
    html = out.read_text()
    assert "nan" not in html
    assert "Expected purchases, next 12 months</td><td class=n>–<" in html
    assert "Net CLV, next 12 months</td><td class=n>–<" in html


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_stages_show_a_bar_with_rate_and_time_left_on_a_terminal_only() -> None:
    from aftersale.analytics.report import Stages

    screen = Terminal()
    stages = Stages(screen, delay=0, interval=0)
    with stages.stage("Reading big.csv", unit="B") as bar:
        update = stages.to(bar)
        for done in range(0, 8 << 20, 1 << 20):
            update(done, 8 << 20)
    shown = screen.getvalue()
    assert "Reading big.csv" in shown and "B/s" in shown and "<" in shown  # rate, time left
    assert [label for label, _ in stages.timings] == ["Reading big.csv"]
    log = io.StringIO()  # not a terminal: the stage's line, no bar
    with Stages(log, delay=0).stage("Reading big.csv", total=3) as bar:
        bar.update(3)
    assert log.getvalue() == "Reading big.csv …\n"
    quiet = Terminal()
    with Stages(quiet, quiet=True, delay=0).stage("Reading big.csv", total=3) as bar:
        bar.update(3)
    assert quiet.getvalue() == ""


def test_the_report_says_how_long_each_stage_took(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders, returns = write_shop(tmp_path)
    out = tmp_path / "report.html"
    assert main([str(orders), "--returns", str(returns), "--out", str(out), "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    html = out.read_text()
    assert "<h3>Time taken</h3>" in html
    for stage in ("Reading orders.csv", "Reading returns.csv", "Customer histories",
                  "Purchase model", "Spend model", "CLV", "RFM segments", "Total"):  # fmt: skip
        assert f"<td>{stage}</td>" in html
