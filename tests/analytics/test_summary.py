"""Purchase summaries: the same numbers as lifetimes' summary_data_from_transaction_data."""

from __future__ import annotations

import numpy as np
import pytest

from aftersale.analytics.datasets import CdnowSummary, load_cdnow_sample
from aftersale.analytics.summary import split_calibration_holdout, summarize_purchases


def test_it_counts_purchase_days_not_order_lines() -> None:
    s = summarize_purchases(
        ["a", "a", "a", "a", "b"],
        ["2024-01-01", "2024-01-01T18:30:00", "2024-01-08", "2024-01-15", "2024-01-10"],
        [10.0, 5.0, 20.0, 40.0, 7.0],
        observation_end="2024-01-22",
        time_unit="D",
    )
    assert s.customer_id.tolist() == ["a", "b"]
    assert s.frequency.tolist() == [2.0, 0.0]
    assert s.recency.tolist() == [14.0, 0.0]
    assert s.T.tolist() == [21.0, 12.0]
    # mean of the repeat purchase days only; the first day (15.0) is left out
    assert s.monetary_value.tolist() == [30.0, 0.0]


def test_it_converts_days_to_weeks_and_ignores_orders_after_the_end() -> None:
    s = summarize_purchases(
        [1, 1, 1], ["2024-01-01", "2024-01-08", "2024-02-01"], observation_end="2024-01-15"
    )
    assert s.frequency.tolist() == [1.0]
    assert s.recency.tolist() == [1.0]
    assert s.T.tolist() == [2.0]


def test_cdnow_summary_matches_the_published_summary(cdnow: CdnowSummary) -> None:
    assert len(cdnow.frequency) == 2357
    assert int(cdnow.frequency.sum()) == 2457  # repeat transactions in weeks 1-39
    assert cdnow.duration_holdout == 39.0
    assert int(cdnow.frequency_holdout.sum()) == 1882  # purchase days in weeks 40-78
    assert cdnow.T.max() == pytest.approx(38.857, abs=1e-3)
    first = np.flatnonzero(cdnow.customer_id == 1)[0]
    assert (cdnow.frequency[first], round(cdnow.recency[first], 2)) == (2.0, 30.43)


def test_the_holdout_counts_only_calibration_customers() -> None:
    split = split_calibration_holdout(
        ["a", "a", "b", "c"],
        ["2024-01-01", "2024-03-01", "2024-01-05", "2024-03-02"],
        calibration_end="2024-01-31",
        observation_end="2024-03-31",
        time_unit="D",
    )
    assert split.calibration.customer_id.tolist() == ["a", "b"]
    assert split.frequency_holdout.tolist() == [1.0, 0.0]
    assert split.duration_holdout == 60.0


def test_the_cdnow_sample_ships_with_the_library() -> None:
    sample = load_cdnow_sample()
    assert sample.amount.size == 6919
    assert str(sample.ordered_at.min()) == "1997-01-01"
    assert str(sample.ordered_at.max()) == "1998-06-30"


def test_cdnow_holdout_counts_match_the_published_per_customer_data(cdnow: CdnowSummary) -> None:
    # customer 1 (ID 00004) bought again on 1997-12-12 only: one holdout purchase day
    first = np.flatnonzero(cdnow.customer_id == 1)[0]
    assert cdnow.frequency_holdout[first] == 1.0
    assert cdnow.frequency_holdout.max() < 40
