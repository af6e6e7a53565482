r"""Which customers are lapsing: the moment for a win-back message.

BG/NBD says a customer with no repeat purchase is certainly still alive
(:math:`P(\text{alive}) = 1` when :math:`x = 0`), so P(alive) alone never flags a one-time
buyer, who are most of a web shop's customers. The rule therefore has two parts:

* **repeat buyers** (two or more orders): lapsing when :math:`P(\text{alive}) < 0.5` or
  fewer than ``0.1`` purchases are expected in the next 90 days;
* **one-time buyers**: lapsing when the days since their order exceed
  ``max(90, 2 × the shop's median days between a repeat buyer's orders)``.

The thresholds are in :class:`LapsingThresholds`; the one-time rule is validated on simulated
customers whose true activity is known (tests/analytics/test_lapsing.py).

Example
-------
>>> import numpy as np
>>> lapsing(np.array([1, 1, 3]), np.array([1.0, 1.0, 0.3]), np.array([0.2, 0.2, 0.5]),
...         np.array([30.0, 200.0, 40.0]), median_gap_days=45.0).tolist()
[False, True, True]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class LapsingThresholds:
    p_alive: float = 0.5
    expected_purchases_90d: float = 0.1
    one_time_gap_factor: float = 2.0
    one_time_min_days: float = 90.0

    def one_time_days(self, median_gap_days: float) -> float:
        """Days after which a one-time buyer counts as lapsing."""
        if not np.isfinite(median_gap_days):
            return self.one_time_min_days
        return max(self.one_time_min_days, self.one_time_gap_factor * median_gap_days)


def median_gap_days(frequency: FloatArray, recency_days: FloatArray) -> float:
    """The median, over repeat buyers, of their average days between orders (NaN if none)."""
    frequency = np.asarray(frequency, dtype=np.float64)
    recency_days = np.asarray(recency_days, dtype=np.float64)
    repeat = frequency > 0
    if not repeat.any():
        return float("nan")
    return float(np.median(recency_days[repeat] / frequency[repeat]))


def lapsing(
    orders: npt.ArrayLike,
    p_alive: npt.ArrayLike,
    expected_90d: npt.ArrayLike,
    days_since_last: npt.ArrayLike,
    *,
    median_gap_days: float,
    thresholds: LapsingThresholds | None = None,
) -> BoolArray:
    """Whether each customer is lapsing (see the module docstring). Unknown (NaN) model
    values never flag a repeat buyer."""
    t = thresholds or LapsingThresholds()
    orders_a = np.asarray(orders, dtype=np.float64)
    alive = np.asarray(p_alive, dtype=np.float64)
    expected = np.asarray(expected_90d, dtype=np.float64)
    since = np.asarray(days_since_last, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        repeat_lapsing = (alive < t.p_alive) | (expected < t.expected_purchases_90d)
        one_time_lapsing = since > t.one_time_days(median_gap_days)
    result: BoolArray = np.where(orders_a >= 2, repeat_lapsing, one_time_lapsing)
    return result
