"""Bad exports and degenerate model input stop with an error that says what and where to fix.

Each case here was measured to pass silently or crash before (issue 19, point 5).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aftersale.analytics import BetaGeoModel, GammaGammaModel, ParetoNBDModel
from aftersale.analytics.csv_import import CsvFormatError, read_orders, read_returns
from aftersale.analytics.orders import OrderLines, OrderTotals
from aftersale.analytics.report import main

HEADER = "order_id,customer_id,ordered_at,amount\n"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_an_order_whose_lines_name_different_customers_is_refused_with_its_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = write(
        tmp_path,
        "orders.csv",
        HEADER + "o1,c1,2024-01-01,10\no2,c2,2024-01-02,5\no1,c9,2024-01-01,7\n",
    )
    with pytest.raises(CsvFormatError) as caught:
        read_orders(orders)
    message = str(caught.value)
    assert "order 'o1'" in message and "rows 2 and 4" in message
    assert "c1" in message and "c9" in message
    assert main([str(orders), "--out", str(tmp_path / "r.html")]) == 2
    assert "order 'o1'" in capsys.readouterr().err


def test_the_library_refuses_an_order_with_two_customers_instead_of_a_broadcast_error() -> None:
    lines = OrderLines.from_arrays(
        ["o1", "o1", "o2"], ["a", "b", "a"], ["2024-01-01"] * 3, [1.0, 2.0, 3.0]
    )
    with pytest.raises(ValueError, match="order 'o1'.*lines 1 and 2"):
        OrderTotals.from_lines(lines)


def test_lines_of_one_order_on_different_days_are_refused(tmp_path: Path) -> None:
    orders = write(tmp_path, "orders.csv", HEADER + "o1,c1,2024-01-01,10\no1,c1,2024-03-01,5\n")
    with pytest.raises(CsvFormatError, match=r"order 'o1'.*2024-01-01, 2024-03-01.*rows 2 and 3"):
        read_orders(orders)


def test_a_bad_byte_far_into_the_file_names_its_row(tmp_path: Path) -> None:
    rows = [f"o{i},c{i % 50},2024-01-{1 + i % 28:02d},{10 + i % 7}.50\n" for i in range(5000)]
    content = (HEADER + "".join(rows)).encode()
    assert len(content) > 100_000  # far beyond the first 64 KiB
    bad = content.replace(b"o4000,", b"o4000\xe4,", 1)  # Latin-1 'a umlaut' in row 4002
    orders = write(tmp_path, "orders.csv", bad)
    with pytest.raises(CsvFormatError) as caught:
        read_orders(orders)
    message = str(caught.value)
    assert "row 4002" in message and "UTF-8" in message
    assert "codec" not in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (HEADER + "o1,c1,2024-01-01,10\no2,c1,2024-01-05,-4.00\n", r"row 3, column 'amount'.*-4"),
        (
            HEADER + "o1,c1,2024-01-01,10\no2,c1,2024-01-05,0\no2,c1,2024-01-05,0.00\n",
            r"order 'o2' adds up to 0.00 in rows 3 and 4",
        ),
    ],
)
def test_negative_lines_and_free_orders_are_refused(
    tmp_path: Path, content: str, expected: str
) -> None:
    with pytest.raises(CsvFormatError, match=expected):
        read_orders(write(tmp_path, "orders.csv", content))


def test_a_zero_line_inside_a_paid_order_is_kept(tmp_path: Path) -> None:
    orders = write(tmp_path, "orders.csv", HEADER + "o1,c1,2024-01-01,10\no1,c1,2024-01-01,0\n")
    assert read_orders(orders).amount.tolist() == [10.0, 0.0]


def test_a_return_larger_than_its_order_is_refused(tmp_path: Path) -> None:
    orders = read_orders(
        write(tmp_path, "orders.csv", HEADER + "o1,c1,2024-01-01,50\no2,c1,2024-02-01,20\n")
    )
    returns = write(tmp_path, "returns.csv", "order_id,returned_amount\no2,5\no1,4000\no1,1000\n")
    with pytest.raises(CsvFormatError) as caught:
        read_returns(returns, orders)
    message = str(caught.value)
    assert "order 'o1'" in message and "rows 3 and 4" in message
    assert "5000" in message and "50" in message


def test_a_negative_return_and_a_return_before_its_order_are_refused(tmp_path: Path) -> None:
    orders = read_orders(write(tmp_path, "orders.csv", HEADER + "o1,c1,2024-03-01,50\n"))
    negative = write(tmp_path, "neg.csv", "order_id,returned_amount\no1,-5\n")
    with pytest.raises(CsvFormatError, match=r"row 2, column 'returned_amount'.*-5"):
        read_returns(negative, orders)
    early = write(tmp_path, "early.csv", "order_id,returned_amount,returned_at\no1,5,2024-02-20\n")
    with pytest.raises(CsvFormatError, match=r"row 2, column 'returned_at'.*2024-03-01"):
        read_returns(early, orders)


def test_the_models_refuse_data_that_cannot_identify_them() -> None:
    zeros = np.zeros(100)
    age = np.linspace(1, 50, 100)
    for model in (BetaGeoModel(), ParetoNBDModel()):
        with pytest.raises(ValueError, match="no repeat purchases"):
            model.fit(zeros, zeros, age)
        with pytest.raises(ValueError, match="T .*0"):
            model.fit(zeros, zeros, zeros)
    with pytest.raises(ValueError, match="at least two"):
        GammaGammaModel().fit([1.0], [10.0])


def test_predictions_refuse_a_negative_horizon(cdnow: object) -> None:
    from aftersale.analytics.datasets import CdnowSummary

    assert isinstance(cdnow, CdnowSummary)
    for model in (BetaGeoModel(), ParetoNBDModel()):
        model.fit(cdnow.frequency, cdnow.recency, cdnow.T)
        with pytest.raises(ValueError, match="t must be"):
            model.expected_purchases(-5)
        with pytest.raises(ValueError, match="t must be"):
            model.expected_purchases(-5, cdnow.frequency, cdnow.recency, cdnow.T)
        with pytest.raises(ValueError, match="t must be"):
            model.p_purchases(1, -5.0)
    buyers = cdnow.frequency > 0
    spend = GammaGammaModel().fit(cdnow.frequency[buyers], cdnow.monetary_value[buyers])
    with pytest.raises(ValueError, match="monetary_value"):
        spend.expected_spend([1.0], [-3.0])
