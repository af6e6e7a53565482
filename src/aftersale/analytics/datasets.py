"""The CDNOW sample: a small public data set to try the models and check them against the
published estimates.

The 2,357-customer CDNOW sample (Fader & Hardie) as distributed with the ``lifetimes`` package
(MIT licence): every purchase of a cohort of customers who made their first purchase at the
CDNOW online music store in the first quarter of 1997, followed until the end of June 1998.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

from aftersale.analytics.summary import CustomerSummary, split_calibration_holdout

#: Calibration period end used in the literature (39 weeks after 1997-01-01).
CDNOW_CALIBRATION_END = np.datetime64("1997-09-30", "D")
#: End of the CDNOW observation period (78 weeks).
CDNOW_OBSERVATION_END = np.datetime64("1998-06-30", "D")


@dataclass(frozen=True)
class CdnowSample:
    """CDNOW order lines: customer, day, number of CDs and dollar value."""

    customer_id: npt.NDArray[np.int64]
    ordered_at: npt.NDArray[np.datetime64]
    quantity: npt.NDArray[np.int64]
    amount: npt.NDArray[np.float64]


@dataclass(frozen=True)
class CdnowSummary:
    """Calibration-period summary (weeks) with holdout purchase counts (weeks 40-78)."""

    customer_id: npt.NDArray[np.int64]
    frequency: npt.NDArray[np.float64]
    recency: npt.NDArray[np.float64]
    T: npt.NDArray[np.float64]
    monetary_value: npt.NDArray[np.float64]
    frequency_holdout: npt.NDArray[np.float64]
    duration_holdout: float
    summary: CustomerSummary


def load_cdnow_sample() -> CdnowSample:
    """Load the CDNOW sample order lines (6,919 rows, 2,357 customers).

    Examples
    --------
    >>> sample = load_cdnow_sample()
    >>> len(np.unique(sample.customer_id))
    2357
    """
    text = resources.files("aftersale.analytics").joinpath("data/cdnow_sample.txt").read_text()
    rows = [line.split() for line in text.splitlines() if line.strip()]
    customer = np.array([int(row[1]) for row in rows], dtype=np.int64)
    day = np.array(
        [f"{row[2][:4]}-{row[2][4:6]}-{row[2][6:]}" for row in rows], dtype="datetime64[D]"
    )
    quantity = np.array([int(row[3]) for row in rows], dtype=np.int64)
    amount = np.array([float(row[4]) for row in rows], dtype=np.float64)
    return CdnowSample(customer, day, quantity, amount)


def load_cdnow_summary() -> CdnowSummary:
    """CDNOW calibration summary (1997-01-01 to 1997-09-30, weeks at day resolution).

    This is the input behind the published BG/NBD, Pareto/NBD and Gamma-Gamma estimates;
    ``monetary_value`` is the mean value of repeat purchase days in the calibration period.
    """
    sample = load_cdnow_sample()
    split = split_calibration_holdout(
        sample.customer_id,
        sample.ordered_at,
        sample.amount,
        calibration_end=CDNOW_CALIBRATION_END,
        observation_end=CDNOW_OBSERVATION_END,
        time_unit="W",
    )
    cal = split.calibration
    return CdnowSummary(
        customer_id=np.asarray(cal.customer_id, dtype=np.int64),
        frequency=cal.frequency,
        recency=cal.recency,
        T=cal.T,
        monetary_value=cal.monetary_value,
        frequency_holdout=split.frequency_holdout,
        duration_holdout=split.duration_holdout,
        summary=cal,
    )
