"""RFM quintile scores and named segments on small hand-checked examples."""

from __future__ import annotations

import numpy as np

from aftersale.analytics.rfm import SEGMENTS, quintile_scores, rfm_scores, segment_of


def test_quintiles_score_one_to_five_and_ties_share_a_score() -> None:
    assert quintile_scores(np.arange(10)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quintile_scores([5, 5, 5, 5]).tolist() == [3, 3, 3, 3]
    assert quintile_scores([1, 2, 3, 4, 5], higher_is_better=False).tolist() == [5, 4, 3, 2, 1]


def test_every_score_pair_has_exactly_one_documented_segment() -> None:
    r, f = np.meshgrid(np.arange(1, 6), np.arange(1, 6))
    segments = segment_of(r.ravel(), f.ravel())
    assert set(segments.tolist()) == set(SEGMENTS)
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
    assert s.frequency_score.tolist() == [5, 5, 2, 2, 4, 4, 2, 2, 3, 3]
    assert s.segment.tolist()[8:] == ["loyal", "loyal"]
    assert s.segment.tolist()[:4] == ["champions", "champions", "new", "new"]
    assert s.segment.tolist()[4:8] == ["at_risk", "at_risk", "hibernating", "hibernating"]
    assert s.code[0] == 555
