"""Per-product return statistics on a small hand-checked example."""

from __future__ import annotations

import pytest

from aftersale.analytics.orders import OrderLines, Returns
from aftersale.analytics.products import product_returns


def test_it_computes_return_rates_and_reasons_per_sku() -> None:
    lines = OrderLines.from_arrays(
        ["o1", "o1", "o2", "o3", "o4"],
        ["c1", "c1", "c2", "c3", "c4"],
        ["2024-01-01"] * 5,
        [40.0, 10.0, 40.0, 80.0, 40.0],
        sku=["dress", "belt", "dress", "dress", "dress"],
        quantity=[1, 1, 1, 2, 1],
    )
    back = Returns.from_arrays(
        ["o1", "o3", "o3", "o4"],
        [40.0, 40.0, 40.0, float("nan")],
        sku=["dress", "dress", "dress", "dress"],
        reason=["too small", "too small", "colour", ""],
        unclaimed=[False, False, False, True],
    )
    stats = product_returns(lines, back)
    assert stats.sku.tolist() == ["belt", "dress"]
    assert stats.orders.tolist() == [1.0, 4.0]
    assert stats.units_sold.tolist() == [1.0, 5.0]
    assert stats.revenue.tolist() == [10.0, 200.0]
    # the unclaimed parcel o4 is not a product return
    assert stats.units_returned.tolist() == [0.0, 3.0]
    assert stats.returned_amount.tolist() == [0.0, 120.0]
    assert stats.return_rate[1] == pytest.approx(0.6)
    assert stats.unit_return_rate[1] == pytest.approx(0.6)
    assert stats.reasons[1] == {"too small": 2, "colour": 1}
    assert stats.top_reason(1) == "too small"
    assert stats.top_reason(0) == ""


def test_it_needs_a_sku_column() -> None:
    lines = OrderLines.from_arrays(["o1"], ["c1"], ["2024-01-01"], [10.0])
    with pytest.raises(ValueError, match="sku"):
        product_returns(lines)
