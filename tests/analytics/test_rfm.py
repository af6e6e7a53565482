"""RFM quintile scores and named segments on small hand-checked examples."""

from __future__ import annotations

import numpy as np

from aftersale.analytics.rfm import (
    ONE_TIME_SEGMENTS,
    REPEAT_SEGMENTS,
    SEGMENTS,
    quintile_scores,
    rfm_scores,
    segment_of,
)


def test_quintiles_score_one_to_five_and_ties_share_a_score() -> None:
    assert quintile_scores(np.arange(10)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quintile_scores([5, 5, 5, 5]).tolist() == [3, 3, 3, 3]
    assert quintile_scores([1, 2, 3, 4, 5], higher_is_better=False).tolist() == [5, 4, 3, 2, 1]


def test_every_score_pair_has_exactly_one_documented_segment() -> None:
    r, f = np.meshgrid(np.arange(1, 6), np.arange(1, 6))
    segments = segment_of(r.ravel(), f.ravel())
    assert set(segments.tolist()) == set(REPEAT_SEGMENTS)
    assert segment_of(np.arange(1, 6), np.zeros(5, dtype=np.int64)).tolist() == [
        "one_time_lapsed", "one_time_lapsed", "one_time_recent", "one_time_recent",
        "one_time_recent",
    ]  # fmt: skip
    assert set(SEGMENTS) == set(REPEAT_SEGMENTS) | set(ONE_TIME_SEGMENTS)
    table = dict(
        zip(
            zip(r.ravel().tolist(), f.ravel().tolist(), strict=True), segments.tolist(), strict=True
        )
    )
    assert table[(5, 5)] == table[(4, 4)] == "champions"
    assert table[(3, 5)] == table[(5, 3)] == "loyal"
    assert table[(5, 1)] == table[(4, 2)] == "new"
    assert table[(3, 1)] == "needs_attention"
    assert table[(1, 5)] == table[(2, 3)] == "at_risk"
    assert table[(1, 1)] == table[(2, 2)] == "hibernating"


def test_rfm_scores_name_the_segments() -> None:
    days = [2, 3, 5, 8, 200, 250, 300, 400, 10, 20]
    purchases = [12, 10, 1, 1, 9, 8, 1, 1, 4, 3]
    money = [900, 800, 40, 30, 700, 600, 20, 10, 300, 200]
    s = rfm_scores(days, purchases, money)
    assert s.recency_score.tolist() == [5, 5, 4, 4, 2, 2, 1, 1, 3, 3]
    # F ranks the six repeat buyers among themselves; one-time buyers get 0
    assert s.frequency_score.tolist() == [5, 4, 0, 0, 3, 3, 0, 0, 2, 1]
    assert s.segment.tolist()[:4] == [
        "champions", "champions", "one_time_recent", "one_time_recent"
    ]  # fmt: skip
    assert s.segment.tolist()[4:8] == ["at_risk", "at_risk", "one_time_lapsed", "one_time_lapsed"]
    assert s.segment.tolist()[8:] == ["needs_attention", "needs_attention"]
    assert s.code[0] == 555 and s.code[2] == 402


def test_when_most_customers_bought_once_frequency_still_separates_repeat_buyers() -> None:
    rng = np.random.default_rng(1)
    n = 10_000
    purchases = np.where(rng.random(n) < 0.85, 1, rng.integers(2, 12, n))
    days = rng.integers(0, 700, n)
    s = rfm_scores(days, purchases, purchases * 30.0)
    once = purchases == 1
    # no one-time buyer is called loyal, a champion or at risk
    assert set(s.segment[once].tolist()) == set(ONE_TIME_SEGMENTS)
    assert np.all(s.frequency_score[once] == 0)
    # the repeat buyers use the whole 1-5 scale, more purchases never scoring lower
    assert set(s.frequency_score[~once].tolist()) == {1, 2, 3, 4, 5}
    order = np.argsort(purchases[~once], kind="stable")
    assert np.all(np.diff(s.frequency_score[~once][order]) >= 0)
    assert set(s.segment[~once].tolist()) <= set(REPEAT_SEGMENTS)
