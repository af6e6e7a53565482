"""Purchase histories: turn order lines into frequency, recency, T and monetary value.

The definitions follow ``lifetimes.utils.summary_data_from_transaction_data`` at day
resolution: orders of one customer on the same calendar day count as one purchase (their
amounts are added up); ``frequency`` is the number of purchase days after the first one,
``recency`` the time from the first to the last purchase day, ``T`` the time from the first
purchase day to the end of the observation period, and ``monetary_value`` the mean value of
the repeat purchase days (0 for customers without repeat purchases).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from aftersale.analytics.identifiers import codes_of, total_by

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DayArray = npt.NDArray[np.datetime64]

TimeUnit = Literal["D", "W", "M"]

#: Length of each supported model time unit in days ("M" is an average calendar month).
UNIT_DAYS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 365.25 / 12.0}


@dataclass(frozen=True)
class CustomerSummary:
    """One row per customer: the sufficient statistics of the purchase models.

    Attributes
    ----------
    customer_id : ndarray
        Customer identifiers, sorted.
    frequency : ndarray
        Repeat purchase days ``x``.
    recency : ndarray
        Time from first to last purchase day, ``t_x``, in ``time_unit``.
    T : ndarray
        Time from first purchase day to the observation end, in ``time_unit``.
    monetary_value : ndarray
        Mean value of the repeat purchase days (0 when ``frequency == 0``).
    first_purchase, last_purchase : ndarray of datetime64[D]
        First and last purchase day.
    time_unit : str
        "D", "W" or "M".
    """

    customer_id: npt.NDArray[np.generic]
    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    monetary_value: FloatArray
    first_purchase: DayArray
    last_purchase: DayArray
    time_unit: str

    def __len__(self) -> int:
        return int(self.frequency.size)


@dataclass(frozen=True)
class CalibrationHoldout:
    """A calibration-period summary plus what each customer did in the holdout period."""

    calibration: CustomerSummary
    frequency_holdout: FloatArray
    duration_holdout: float


def to_days(values: npt.ArrayLike) -> DayArray:
    """Convert dates, datetimes, ISO strings or ``datetime64`` values to ``datetime64[D]``."""
    array = np.asarray(values)
    if array.dtype.kind == "M":
        return np.asarray(array.astype("datetime64[D]"))
    if array.dtype.kind in "UO" and array.size and isinstance(array.flat[0], str):
        return np.asarray(array.astype("datetime64[s]").astype("datetime64[D]"))
    return np.asarray(np.asarray(array, dtype="datetime64[D]"))


def _as_day(value: dt.date | str | np.datetime64) -> np.datetime64:
    return np.datetime64(to_days(np.asarray([value]))[0], "D")


def summarize_purchases(
    customer_id: npt.ArrayLike,
    ordered_at: npt.ArrayLike,
    amount: npt.ArrayLike | None = None,
    *,
    observation_end: dt.date | str | np.datetime64 | None = None,
    time_unit: TimeUnit = "W",
) -> CustomerSummary:
    """Summarise order lines into one purchase history per customer.

    Parameters
    ----------
    customer_id : array_like
        Customer of each order line (any sortable type; integers are fastest).
    ordered_at : array_like
        Order date or datetime of each line; only the calendar day is used.
    amount : array_like, optional
        Value of each line (summed per customer-day for ``monetary_value``).
    observation_end : date, optional
        Last day of the observation period (inclusive); lines after it are ignored.
        Defaults to the last order day.
    time_unit : {"D", "W", "M"}
        Unit of ``recency`` and ``T``: days, weeks (7 days) or average months.

    Examples
    --------
    >>> s = summarize_purchases([1, 1, 1, 2], ["2024-01-01", "2024-01-01", "2024-01-08",
    ...                         "2024-01-05"], [10, 5, 20, 7], time_unit="D")
    >>> s.frequency.tolist(), s.recency.tolist(), s.T.tolist(), s.monetary_value.tolist()
    ([1.0, 0.0], [7.0, 0.0], [7.0, 3.0], [20.0, 0.0])
    """
    ids = np.asarray(customer_id)
    days = to_days(ordered_at).astype(np.int64)
    values = (
        np.zeros(days.shape, dtype=np.float64)
        if amount is None
        else np.asarray(amount, dtype=np.float64)
    )
    if not (ids.shape == days.shape == values.shape):
        raise ValueError("customer_id, ordered_at and amount must have the same length")
    end = (
        int(days.max())
        if observation_end is None
        else int(_as_day(observation_end).astype(np.int64))
    )
    keep = days <= end
    if not np.all(keep):
        ids, days, values = ids[keep], days[keep], values[keep]
    if ids.size == 0:
        raise ValueError("there are no orders on or before the observation end")
    unique_ids, code = codes_of(ids)
    first_day = int(days.min())
    span = end - first_day + 1
    key = code * span + (days - first_day)
    unique_key, key_code = np.unique(key, return_inverse=True)
    day_value = total_by(key_code.ravel(), values, unique_key.size)
    customer = unique_key // span
    day = unique_key % span + first_day
    n_customers = unique_ids.size
    counts = np.bincount(customer, minlength=n_customers)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    ends = starts + counts - 1
    first = day[starts]
    last = day[ends]
    total_value = total_by(customer, day_value, n_customers)
    repeat_value = total_value - day_value[starts]
    frequency = (counts - 1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        monetary = np.where(frequency > 0, repeat_value / np.maximum(frequency, 1.0), 0.0)
    unit = UNIT_DAYS[time_unit]
    return CustomerSummary(
        customer_id=unique_ids,
        frequency=frequency,
        recency=(last - first) / unit,
        T=(end - first) / unit,
        monetary_value=monetary,
        first_purchase=first.astype("datetime64[D]"),
        last_purchase=last.astype("datetime64[D]"),
        time_unit=time_unit,
    )


def split_calibration_holdout(
    customer_id: npt.ArrayLike,
    ordered_at: npt.ArrayLike,
    amount: npt.ArrayLike | None = None,
    *,
    calibration_end: dt.date | str | np.datetime64,
    observation_end: dt.date | str | np.datetime64,
    time_unit: TimeUnit = "W",
) -> CalibrationHoldout:
    """Summaries for a calibration period and purchase counts in the following holdout.

    Customers are those who bought by ``calibration_end``; ``frequency_holdout`` counts their
    purchase days in ``(calibration_end, observation_end]`` (as ``lifetimes``'
    ``calibration_and_holdout_data``).
    """
    ids = np.asarray(customer_id)
    days = to_days(ordered_at)
    cal_end = _as_day(calibration_end)
    obs_end = _as_day(observation_end)
    in_cal = days <= cal_end
    calibration = summarize_purchases(
        ids[in_cal],
        days[in_cal],
        None if amount is None else np.asarray(amount, dtype=np.float64)[in_cal],
        observation_end=cal_end,
        time_unit=time_unit,
    )
    in_holdout = (days > cal_end) & (days <= obs_end)
    h_ids, h_days = ids[in_holdout], days[in_holdout].astype(np.int64)
    position = np.searchsorted(calibration.customer_id, h_ids)
    position = np.minimum(position, len(calibration) - 1)
    known = calibration.customer_id[position] == h_ids
    h_days = h_days[known]
    low = int(h_days.min()) if h_days.size else 0
    span = int(h_days.max()) - low + 1 if h_days.size else 1
    pairs = np.unique(position[known].astype(np.int64) * span + (h_days - low))
    holdout = np.bincount(pairs // span, minlength=len(calibration)).astype(np.float64)
    duration = float((obs_end - cal_end).astype(np.int64)) / UNIT_DAYS[time_unit]
    return CalibrationHoldout(calibration, holdout, duration)
