"""Cohort retention: of the customers who first bought in a month, who bought again later.

A customer's cohort is the calendar month (or ISO week) of their first purchase. Cell
``(cohort, k)`` of the retention matrix is the share of the cohort that made a purchase in the
``k``-th period after the first one (``k = 0`` is the first period itself, always 100 %).
Cells that lie after the end of the data are NaN, so a young cohort is not mistaken for a bad
one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from aftersale.analytics.summary import to_days

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

Period = Literal["M", "W"]


@dataclass(frozen=True)
class CohortRetention:
    """Retention matrix: rows are cohorts, columns periods since the first purchase.

    Attributes
    ----------
    cohort : ndarray of datetime64
        First period of each cohort (month ``datetime64[M]`` or week start ``datetime64[D]``).
    size : ndarray of int
        Customers in each cohort.
    active : ndarray of int, shape (cohorts, periods)
        Customers of the cohort who bought in period ``k``.
    retention : ndarray of float, shape (cohorts, periods)
        ``active / size``; NaN beyond the end of the data.
    period : str
        "M" (calendar months) or "W" (weeks starting on Monday).
    """

    cohort: npt.NDArray[np.datetime64]
    size: IntArray
    active: IntArray
    retention: FloatArray
    period: str


def _period_index(days: npt.NDArray[np.datetime64], period: Period) -> IntArray:
    if period == "M":
        return np.asarray(days.astype("datetime64[M]").astype(np.int64), dtype=np.int64)
    # 1970-01-01 was a Thursday; shift so that weeks start on Monday
    return np.asarray((days.astype(np.int64) + 3) // 7, dtype=np.int64)


def _period_start(index: IntArray, period: Period) -> npt.NDArray[np.datetime64]:
    if period == "M":
        return np.asarray(index.astype("datetime64[M]"))
    return np.asarray((index * 7 - 3).astype("datetime64[D]"))


def cohort_retention(
    customer_id: npt.ArrayLike,
    ordered_at: npt.ArrayLike,
    *,
    period: Period = "M",
    max_periods: int | None = None,
) -> CohortRetention:
    """Build the cohort retention matrix from order dates.

    Examples
    --------
    >>> r = cohort_retention(["a", "a", "b", "c"],
    ...                      ["2024-01-05", "2024-02-10", "2024-01-20", "2024-02-01"])
    >>> r.size.tolist(), r.active.tolist()
    ([2, 1], [[2, 1], [1, 0]])
    >>> r.retention.tolist()
    [[1.0, 0.5], [1.0, nan]]
    """
    ids = np.asarray(customer_id)
    index = _period_index(to_days(ordered_at), period)
    _, code = np.unique(ids, return_inverse=True)
    code = code.ravel()
    n_customers = int(code.max()) + 1 if code.size else 0
    first = np.full(n_customers, np.iinfo(np.int64).max)
    np.minimum.at(first, code, index)
    offset = index - first[code]
    last_period = int(index.max()) if index.size else 0
    cohorts, cohort_code = np.unique(first, return_inverse=True)
    cohort_code = cohort_code.ravel()
    n_periods = int(last_period - cohorts.min()) + 1 if cohorts.size else 0
    if max_periods is not None:
        n_periods = min(n_periods, max_periods)
    keep = offset < n_periods
    # count each customer once per period
    pairs = np.unique(code[keep] * np.int64(n_periods) + offset[keep])
    customer, k = pairs // n_periods, pairs % n_periods
    active = np.zeros((cohorts.size, n_periods), dtype=np.int64)
    np.add.at(active, (cohort_code[customer], k), 1)
    size = np.bincount(cohort_code, minlength=cohorts.size).astype(np.int64)
    retention = active / np.maximum(size, 1)[:, None]
    observed = (cohorts[:, None] + np.arange(n_periods)[None, :]) <= last_period
    retention = np.where(observed, retention, np.nan)
    return CohortRetention(_period_start(cohorts, period), size, active, retention, period)
