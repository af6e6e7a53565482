"""RFM scoring: recency, frequency and monetary quintile scores and named segments.

Each customer gets three scores from 1 (worst) to 5 (best), by quintile: **R** from the days
since the last purchase (fewer is better) and **M** from the money spent (net of returns when
the caller passes net revenue), both among all the shop's customers; **F** from the number of
purchases, among the *repeat buyers* only. Customers who bought once get F = 0 and a segment of
their own: in web shops 80 % or more of customers often bought once, and scoring them with the
repeat buyers gave every one of them the same middling F (and the label "loyal" or "at risk").
Tied values always get the same score (average ranks).

One-time buyers:

==================  =========================  ============================================
segment             rule                       what it means
==================  =========================  ============================================
one_time_recent     F == 0 and R >= 3          bought once, recently: may still come back
one_time_lapsed     F == 0 and R <= 2          bought once, long ago
==================  =========================  ============================================

Within these groups, rank customers by their expected purchases (the purchase model's forecast)
rather than by P(alive): the BG/NBD model gives P(alive) = 1 to everyone who bought once,
because nobody can drop out before their first repeat purchase.

Repeat buyers, from the R and F scores:

==================  =========================  ============================================
segment             rule                       what it means
==================  =========================  ============================================
champions           R >= 4 and F >= 4          bought recently and often
loyal               R >= 3 and F >= 3 (other)  buy regularly
new                 R >= 4 and F <= 2          bought recently, but only once or twice
needs_attention     R == 3 and F <= 2          neither recent nor frequent enough to tell
at_risk             R <= 2 and F >= 3          used to buy often, but not lately
hibernating         R <= 2 and F <= 2          bought little, long ago
==================  =========================  ============================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

REPEAT_SEGMENTS = ("champions", "loyal", "new", "needs_attention", "at_risk", "hibernating")
ONE_TIME_SEGMENTS = ("one_time_recent", "one_time_lapsed")
SEGMENTS = REPEAT_SEGMENTS + ONE_TIME_SEGMENTS


@dataclass(frozen=True)
class RfmScores:
    """Scores 1-5 per customer, the three-digit code (e.g. 545) and the named segment."""

    recency_score: IntArray
    frequency_score: IntArray
    monetary_score: IntArray
    code: IntArray
    segment: npt.NDArray[np.str_]


def quintile_scores(values: npt.ArrayLike, *, higher_is_better: bool = True) -> IntArray:
    """Score values 1-5 by quintile of their average rank (ties share a score).

    Examples
    --------
    >>> quintile_scores([10, 20, 30, 40, 50]).tolist()
    [1, 2, 3, 4, 5]
    >>> quintile_scores([1, 1, 1, 1, 9]).tolist()
    [3, 3, 3, 3, 5]
    """
    array = np.asarray(values, dtype=np.float64)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    keyed = array if higher_is_better else -array
    share = (_average_ranks(keyed) - 0.5) / array.size
    return np.asarray(np.clip(np.floor(share * 5) + 1, 1, 5), dtype=np.int64)


def _average_ranks(values: FloatArray) -> FloatArray:
    """Ranks from 1 with ties given their average rank (``scipy.stats.rankdata``'s default).

    Whole numbers in a modest range (days, purchase counts) are ranked by counting, in linear
    time; anything else by one sort.
    """
    low, high = float(values.min()), float(values.max())
    if high - low <= 10_000_000 and np.all(values == np.floor(values)):
        offset = (values - low).astype(np.int64)
        counts = np.bincount(offset)
        below = np.cumsum(counts) - counts
        return np.asarray((below + (counts + 1) / 2.0)[offset], dtype=np.float64)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    sizes = np.diff(np.append(starts, values.size))
    average = starts + (sizes + 1) / 2.0
    ranks = np.empty(values.size)
    ranks[order] = np.repeat(average, sizes)
    return ranks


def segment_of(recency_score: IntArray, frequency_score: IntArray) -> npt.NDArray[np.str_]:
    """Named segment from R and F scores (F = 0: bought once; rules in the module docstring)."""
    r, f = np.asarray(recency_score), np.asarray(frequency_score)
    conditions = [
        (r >= 4) & (f >= 4),
        (r >= 3) & (f >= 3),
        (r >= 4) & (f <= 2),
        (r == 3) & (f <= 2),
        (r <= 2) & (f >= 3),
    ]
    segment = np.select(conditions, list(REPEAT_SEGMENTS[:5]), default=REPEAT_SEGMENTS[5])
    once = f == 0
    if np.any(once):
        segment = np.where(once, np.where(r >= 3, *ONE_TIME_SEGMENTS), segment)
    return np.asarray(segment, dtype=np.str_)


def rfm_scores(
    days_since_last_purchase: npt.ArrayLike,
    purchases: npt.ArrayLike,
    monetary: npt.ArrayLike,
) -> RfmScores:
    """Score every customer and assign the named segment.

    Parameters
    ----------
    days_since_last_purchase : array_like
        Days from the last purchase to the analysis date.
    purchases : array_like
        Number of purchases (orders or purchase days); 1 means a one-time buyer (F = 0).
    monetary : array_like
        Money spent, e.g. net revenue.

    Examples
    --------
    >>> s = rfm_scores([1, 5, 30, 200, 400], [9, 4, 3, 1, 1], [900, 300, 200, 50, 20])
    >>> s.frequency_score.tolist()
    [5, 3, 1, 0, 0]
    >>> s.segment.tolist()
    ['champions', 'loyal', 'needs_attention', 'one_time_lapsed', 'one_time_lapsed']
    """
    r = quintile_scores(days_since_last_purchase, higher_is_better=False)
    m = quintile_scores(monetary)
    bought = np.asarray(purchases, dtype=np.float64)
    f = np.zeros(bought.size, dtype=np.int64)
    repeat = bought > 1
    f[repeat] = quintile_scores(bought[repeat])
    return RfmScores(r, f, m, r * 100 + f * 10 + m, segment_of(r, f))
