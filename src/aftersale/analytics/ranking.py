"""Offline ranking metrics for recommendations: hit rate, recall and MRR at *k*.

For each customer in the test period, ``recommended`` is a ranked list (best first) and
``relevant`` the set of products they actually bought (and kept) later:

- hit rate@k: share of customers with at least one relevant product in their top *k*;
- recall@k: mean over customers of :math:`|top_k \\cap relevant| / |relevant|`;
- MRR@k: mean over customers of :math:`1 / rank` of the first relevant product in the top *k*
  (0 when there is none).

Examples
--------
>>> m = ranking_metrics([[1, 2, 3], [4, 5, 6]], [{3, 9}, {7}], k=3)
>>> (m.hit_rate, m.recall, round(m.mrr, 4), m.customers)
(0.5, 0.25, 0.1667, 2)
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass


@dataclass(frozen=True)
class RankingMetrics:
    hit_rate: float
    recall: float
    mrr: float
    customers: int


def ranking_metrics(
    recommended: Sequence[Sequence[int]], relevant: Sequence[Set[int]], *, k: int = 10
) -> RankingMetrics:
    """Hit rate@k, recall@k and MRR@k over customers (those with nothing relevant are skipped)."""
    if len(recommended) != len(relevant):
        raise ValueError("recommended and relevant must have one entry per customer")
    hits = recall = reciprocal = 0.0
    counted = 0
    for ranked, wanted in zip(recommended, relevant, strict=True):
        if not wanted:
            continue
        counted += 1
        top = list(ranked)[:k]
        found = [rank for rank, item in enumerate(top, start=1) if item in wanted]
        if found:
            hits += 1
            reciprocal += 1 / found[0]
        recall += len(set(top) & set(wanted)) / len(wanted)
    if counted == 0:
        return RankingMetrics(0.0, 0.0, 0.0, 0)
    return RankingMetrics(hits / counted, recall / counted, reciprocal / counted, counted)
