"""Net revenue and margin after returns, checked against hand-computed small examples."""

from __future__ import annotations

import numpy as np
import pytest

from aftersale.analytics.net_value import ReturnerThresholds, customer_net_value
from aftersale.analytics.orders import OrderLines, Returns


@pytest.fixture
def orders() -> OrderLines:
    # anna: 3 orders; ben: 4 orders, returns most; cia: 2 orders, leaves parcels unclaimed
    return OrderLines.from_arrays(
        ["a1", "a2", "a2", "a3", "b1", "b2", "b3", "b4", "c1", "c2"],
        ["anna", "anna", "anna", "anna", "ben", "ben", "ben", "ben", "cia", "cia"],
        ["2024-01-01"] * 10,
        [100.0, 60.0, 40.0, 50.0, 80.0, 80.0, 80.0, 80.0, 30.0, 30.0],
        cost=[50.0, 30.0, 20.0, np.nan, 40.0, 40.0, 40.0, 40.0, 15.0, 15.0],
    )


@pytest.fixture
def returns() -> Returns:
    return Returns.from_arrays(
        ["a2", "b1", "b2", "b3", "c1", "c2"],
        [40.0, 80.0, 80.0, 40.0, np.nan, np.nan],
        shipping_cost=[5.0, 5.0, 5.0, 5.0, 0.0, 0.0],
        unclaimed=[False, False, False, False, True, True],
        unclaimed_cost=[0.0, 0.0, 0.0, 0.0, 12.0, 12.0],
    )


def test_it_computes_gross_and_net_revenue_and_margin(orders: OrderLines, returns: Returns) -> None:
    v = customer_net_value(orders, returns, default_margin_rate=0.4)
    assert v.customer_id.tolist() == ["anna", "ben", "cia"]
    assert v.orders.tolist() == [3.0, 4.0, 2.0]
    assert v.gross_revenue.tolist() == [250.0, 320.0, 60.0]
    assert v.returned_revenue.tolist() == [40.0, 200.0, 60.0]  # unclaimed: the whole order
    assert v.net_revenue.tolist() == [210.0, 120.0, 0.0]
    # anna: goods cost 50 + 50 + 30 (a3 at the default 40 % margin) = 130; the returned 40
    # comes back to stock at a2's cost ratio 0.5 -> 20 recovered; minus 5 shipping
    assert v.gross_margin[0] == pytest.approx(120.0)
    assert v.net_margin[0] == pytest.approx(210.0 - (130.0 - 20.0) - 5.0)
    # ben: cost 160, recovered 100, shipping 15 -> 120 - 60 - 15
    assert v.net_margin[1] == pytest.approx(45.0)
    # cia: nothing kept, both parcels cost 12 each
    assert v.net_margin[2] == pytest.approx(-24.0)
    assert v.unclaimed_parcels.tolist() == [0.0, 0.0, 2.0]
    assert v.unclaimed_cost.tolist() == [0.0, 0.0, 24.0]
    assert v.return_shipping_cost.tolist() == [5.0, 15.0, 0.0]
    np.testing.assert_allclose(v.return_rate, [0.16, 0.625, 1.0])


def test_it_splits_profitable_customers_from_serial_returners(
    orders: OrderLines, returns: Returns
) -> None:
    v = customer_net_value(orders, returns, default_margin_rate=0.4)
    # ben is profitable on paper (net margin 45) but returns 62.5 % over 4 orders;
    # cia left 2 parcels unclaimed
    assert v.segment.tolist() == ["profitable", "serial_returner", "serial_returner"]
    lenient = customer_net_value(
        orders,
        returns,
        default_margin_rate=0.4,
        thresholds=ReturnerThresholds(min_orders=5, return_rate=0.7, unclaimed_parcels=3),
    )
    assert lenient.segment.tolist() == ["profitable", "profitable", "unprofitable"]


def test_without_returns_net_equals_gross(orders: OrderLines) -> None:
    v = customer_net_value(orders, default_margin_rate=0.4)
    np.testing.assert_array_equal(v.net_revenue, v.gross_revenue)
    np.testing.assert_allclose(v.net_margin, v.gross_margin)
    assert set(v.segment.tolist()) == {"profitable"}


def test_it_rejects_returns_of_unknown_orders(orders: OrderLines) -> None:
    with pytest.raises(ValueError, match="zz9"):
        customer_net_value(orders, Returns.from_arrays(["zz9"], [10.0]))


def test_integer_ids_give_the_same_answer_and_catch_unknown_orders() -> None:
    lines = OrderLines.from_arrays(
        [10, 11, 11, 12], [7, 7, 7, 9], ["2024-01-01"] * 4, [5.0, 6, 7, 8]
    )
    value = customer_net_value(lines, Returns.from_arrays([11, 12], [7.0, 8.0]))
    assert value.customer_id.tolist() == [7, 9]
    assert value.net_revenue.tolist() == [11.0, 0.0]
    for unknown in (13, 3, 10_000):
        with pytest.raises(ValueError, match=str(unknown)):
            customer_net_value(lines, Returns.from_arrays([11, unknown], [7.0, 1.0]))
