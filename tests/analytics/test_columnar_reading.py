"""CSV and Parquet exports read with Arrow: same results either way, rows still named exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from aftersale.analytics.csv_import import CsvFormatError, read_orders, read_returns
from aftersale.analytics.report import main

from .test_report_cli import write_shop


def test_parquet_and_csv_give_the_same_lines_and_returns(tmp_path: Path) -> None:
    orders_csv, returns_csv = write_shop(tmp_path)
    for source in (orders_csv, returns_csv):
        table = pacsv.read_csv(source)  # typed by Arrow: dates, floats, booleans
        pq.write_table(table, source.with_suffix(".parquet"))
    from_csv = read_orders(orders_csv)
    from_parquet = read_orders(orders_csv.with_suffix(".parquet"))
    for column in ("order_id", "customer_id", "ordered_at", "amount", "cost", "sku", "quantity"):
        assert np.array_equal(getattr(from_csv, column), getattr(from_parquet, column)), column
    back_csv = read_returns(returns_csv, from_csv)
    back_parquet = read_returns(returns_csv.with_suffix(".parquet"), from_parquet)
    assert np.array_equal(back_csv.amount, back_parquet.amount, equal_nan=True)
    assert back_csv.unclaimed.tolist() == back_parquet.unclaimed.tolist() == [False, True, False]
    assert back_csv.reason is not None and back_csv.reason.tolist()[0] == "too small"
    html = []
    for orders, returns in ((orders_csv, returns_csv), (orders_csv, returns_csv)):
        suffix = ".parquet" if html else ".csv"
        out = tmp_path / f"report{suffix}.html"
        args = [str(orders.with_suffix(suffix)), "--returns", str(returns.with_suffix(suffix))]
        assert main([*args, "--out", str(out), "--quiet"]) == 0
        text = out.read_text()
        html.append(text[: text.index("<h3>Time taken</h3>")])  # times differ, nothing else
    assert html[0] == html[1]


def test_whole_number_ids_become_integers_and_others_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,customer_id,ordered_at,amount\n10,7,2024-01-01,5\n11,007,2024-01-02,5\n"
    )
    lines = read_orders(path)
    assert lines.order_id.dtype == np.int64 and lines.order_id.tolist() == [10, 11]
    assert lines.customer_id.tolist() == ["7", "007"]  # leading zeros: two customers, as text


def test_rows_are_numbered_as_a_spreadsheet_shows_them_despite_blank_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,customer_id,ordered_at,amount\n"
        "o1,c1,2024-01-01,5\n\n"
        ",,,\n"
        'o2,"c,2",2024-01-02,5\n'
        "o3,c3,2024-01-03,five\n"
    )
    with pytest.raises(CsvFormatError, match=r"row 6, column 'amount': 'five' is not a number"):
        read_orders(path)


def test_a_short_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer_id,ordered_at,amount\no1,c1,2024-01-01,5\no2,c2,5\n")
    with pytest.raises(CsvFormatError, match=r"row 3: the row has 3 fields but the header has 4"):
        read_orders(path)


def test_a_parquet_error_names_the_row_counting_from_one(tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    table = pa.table(
        {
            "order_id": [1, 2, 3],
            "customer_id": ["a", "b", "c"],
            "ordered_at": pa.array(np.array(["2024-01-01"] * 3, dtype="datetime64[D]")),
            "amount": [5.0, 6.0, -1.0],
        }
    )
    pq.write_table(table, path)
    with pytest.raises(CsvFormatError, match=r"orders.parquet, row 3, column 'amount'.*negative"):
        read_orders(path)
