"""Cohort retention on a small hand-checked example."""

from __future__ import annotations

import numpy as np

from aftersale.analytics.cohorts import cohort_retention


def test_it_counts_each_cohort_and_month_once_per_customer() -> None:
    customers = ["a", "a", "a", "b", "b", "c", "d"]
    days = [
        "2024-01-03", "2024-01-20", "2024-03-01",  # a: Jan cohort, buys again in March
        "2024-01-15", "2024-02-02",  # b: Jan cohort, buys again in February
        "2024-01-30",  # c: Jan cohort, never again
        "2024-02-10",  # d: Feb cohort
    ]  # fmt: skip
    r = cohort_retention(customers, days)
    assert [str(c) for c in r.cohort] == ["2024-01", "2024-02"]
    assert r.size.tolist() == [3, 1]
    assert r.active.tolist() == [[3, 1, 1], [1, 0, 0]]
    np.testing.assert_allclose(r.retention[0], [1.0, 1 / 3, 1 / 3])
    assert r.retention[1, 1] == 0.0
    assert np.isnan(r.retention[1, 2])  # March is the last month of data: Feb + 2 is unseen


def test_weekly_cohorts_start_on_monday() -> None:
    r = cohort_retention(["a", "a"], ["2024-01-03", "2024-01-10"], period="W")
    assert str(r.cohort[0]) == "2024-01-01"  # a Monday
    assert r.active.tolist() == [[1, 1]]
