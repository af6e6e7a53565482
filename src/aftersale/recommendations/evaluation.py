"""Offline evaluation: how well would each recommender have predicted what customers bought?

A time split over the shop's kept lines: everything before ``split`` trains, and for every
customer who bought before and after it, the products they kept after it (and had not bought
before) are what a recommender should have put in its top 10. Side by side in one run:

- **ours**: the service's order of trust (pins, the shop's relations, then kept-together pairs
  mined from the training period only), from the customer's purchases before the split,
  recent ones weighing more;
- **ours + popular**: the same, its empty places filled with the best sellers;
- **popularity**: the training period's best sellers (by customers);
- **random**: a seeded shuffle of the catalogue;
- **implicit ALS** and **implicit item-item (cosine)** from the ``implicit`` library, when it is
  installed (``pip install aftersale[eval]``).

Every method skips what the customer bought before the split. Stock is not applied (today's
stock says nothing about the test period), nor are variant-level fits (products only).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import scipy.sparse as sp

from aftersale.analytics.bought_together import BoughtTogether as Miner
from aftersale.analytics.bought_together import customer_product_matrix
from aftersale.analytics.ranking import RankingMetrics, ranking_metrics
from aftersale.catalog.models import ProductRelation
from aftersale.core.models import Shop
from aftersale.recommendations import mining, services
from aftersale.recommendations.models import RecommendationRule

K = 10


@dataclass(frozen=True)
class MethodResult:
    name: str
    metrics: RankingMetrics
    seconds: float


@dataclass(frozen=True)
class Evaluation:
    shop: str
    split: datetime
    train_lines: int
    test_customers: int
    products: int
    results: list[MethodResult]
    notes: list[str]


@dataclass
class _Data:
    n_products: int
    train: sp.csr_matrix  # customers × products, 0/1
    recency: sp.csr_matrix  # customers × products, weight of the latest purchase before split
    users: np.ndarray  # test customers (rows)
    relevant: list[set[int]]
    categories: np.ndarray
    relations: dict[int, list[tuple[int, float]]]  # product -> (related, within-tier score)
    pins: dict[int, list[int]]
    blocks: set[tuple[int, int]]


def default_split(shop: Shop) -> datetime | None:
    """90 days before the shop's last kept order."""
    _, _, placed = mining.kept_purchases(shop)
    return placed[-1] - timedelta(days=90) if placed else None


def evaluate(shop: Shop, *, split: datetime, seed: int = 0, k: int = K) -> Evaluation:
    data, train_lines = _load(shop, split)
    notes: list[str] = []
    methods: list[tuple[str, Callable[[], list[list[int]]]]] = [
        ("ours", lambda: _ours(data, k, fill=False)),
        ("ours + popular", lambda: _ours(data, k, fill=True)),
        ("popularity", lambda: _popularity(data, k)),
        ("random", lambda: _random(data, k, seed)),
    ]
    try:
        import implicit  # noqa: F401
    except ImportError:
        notes.append("implicit is not installed (pip install aftersale[eval]): not compared.")
    else:
        methods.append(("implicit ALS", lambda: _implicit_als(data, k, seed)))
        methods.append(("implicit item-item", lambda: _implicit_cosine(data, k)))
    results = []
    for name, method in methods:
        started = time.perf_counter()
        ranked = method() if data.users.size else []
        results.append(
            MethodResult(
                name, ranking_metrics(ranked, data.relevant, k=k), time.perf_counter() - started
            )
        )
    return Evaluation(
        shop.slug, split, train_lines, len(data.relevant), data.n_products, results, notes
    )


def _load(shop: Shop, split: datetime) -> tuple[_Data, int]:
    customers, products, placed = mining.kept_purchases(shop)
    ids, categories = mining.product_categories(shop)
    index = {int(pk): i for i, pk in enumerate(ids)}
    _, rows = np.unique(customers, return_inverse=True) if customers.size else (None, customers)
    cols = np.searchsorted(ids, products)
    stamps = np.array([p.timestamp() for p in placed], dtype=np.float64)
    before = stamps < split.timestamp()
    n_customers = int(rows.max()) + 1 if rows.size else 0
    train = customer_product_matrix(
        rows[before], cols[before], n_customers=n_customers, n_products=ids.size
    )
    age_days = (split.timestamp() - stamps[before]) / 86400
    weight = 0.5 ** (age_days / services.HALF_LIFE_DAYS)
    recency = sp.csr_matrix((weight, (rows[before], cols[before])), shape=(n_customers, ids.size))
    recency.sum_duplicates()  # sums repeat purchases; capped below
    recency.data = np.minimum(recency.data, 1.0)
    bought_before = set(zip(rows[before].tolist(), cols[before].tolist(), strict=True))
    later: dict[int, set[int]] = {}
    trained = np.diff(train.indptr) > 0
    for r, c in zip(rows[~before].tolist(), cols[~before].tolist(), strict=True):
        if trained[r] and (r, c) not in bought_before:
            later.setdefault(r, set()).add(c)
    users = np.array(sorted(later), dtype=np.int64)
    relations: dict[int, list[tuple[int, float]]] = {}
    kind_rank = {kind.value: i for i, kind in enumerate(services.OFFERED_KINDS)}
    for p, r, kind, position in (
        ProductRelation.objects.for_shop(shop)
        .filter(kind__in=services.OFFERED_KINDS)
        .order_by("position", "pk")
        .values_list("product_id", "related_id", "kind", "position")
    ):
        within = 1 - (kind_rank[kind] * 50 + min(position, 49)) / 200
        relations.setdefault(index[p], []).append((index[r], within))
    pins: dict[int, list[int]] = {}
    blocks: set[tuple[int, int]] = set()
    for p, r, action in RecommendationRule.objects.for_shop(shop).values_list(
        "product_id", "related_id", "action"
    ):
        if action == RecommendationRule.Action.PIN:
            pins.setdefault(index[p], []).append(index[r])
        else:
            blocks.add((index[p], index[r]))
    data = _Data(
        ids.size, train, recency, users, [later[int(u)] for u in users], categories,
        relations, pins, blocks,
    )  # fmt: skip
    return data, int(before.sum())


def _popular_order(data: _Data) -> np.ndarray:
    counts = np.asarray(data.train.sum(axis=0)).ravel()
    return np.lexsort((np.arange(counts.size), -counts))


def _popularity(data: _Data, k: int) -> list[list[int]]:
    order = _popular_order(data)
    ranked = []
    for u in data.users:
        owned = set(data.train.indices[data.train.indptr[u] : data.train.indptr[u + 1]].tolist())
        ranked.append([int(p) for p in order[: k + len(owned)] if p not in owned][:k])
    return ranked


def _random(data: _Data, k: int, seed: int) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    ranked = []
    for u in data.users:
        owned = set(data.train.indices[data.train.indptr[u] : data.train.indptr[u + 1]].tolist())
        order = rng.permutation(data.n_products)
        ranked.append([int(p) for p in order if p not in owned][:k])
    return ranked


def _ours(data: _Data, k: int, *, fill: bool) -> list[list[int]]:
    miner = Miner(
        min_customers=mining.MIN_CUSTOMERS, min_lift=mining.MIN_LIFT, max_related=mining.MAX_RELATED
    )
    rows, cols = data.train.nonzero()
    miner.fit(rows, cols, categories=data.categories, n_customers=data.train.shape[0])
    mined: dict[int, list[tuple[int, float]]] = {}
    for a, b, score in zip(miner.product_, miner.related_, miner.score_, strict=True):
        mined.setdefault(int(a), []).append((int(b), float(score)))
    popular = _popular_order(data) if fill else np.array([], dtype=np.int64)
    ranked = []
    for u in data.users:
        start, end = data.recency.indptr[u], data.recency.indptr[u + 1]
        anchors = list(
            zip(
                data.recency.indices[start:end].tolist(),
                data.recency.data[start:end].tolist(),
                strict=True,
            )
        )
        owned = {a for a, _ in anchors}
        best: dict[int, float] = {}

        for anchor, weight in anchors:
            offers = [
                (related, services.PINNED + weight * (1 - min(position, 49) / 50) * 0.99)
                for position, related in enumerate(data.pins.get(anchor, []))
            ]
            offers += [
                (related, services.SHOP_RELATION + weight * within * 0.99)
                for related, within in data.relations.get(anchor, [])
            ]
            offers += [
                (related, services.MINED + weight * score * 0.99)
                for related, score in mined.get(anchor, [])
            ]
            for related, score in offers:
                if related in owned or (anchor, related) in data.blocks:
                    continue
                best[related] = max(score, best.get(related, -1.0))
        top = [p for p, _ in sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))][:k]
        if fill and len(top) < k:
            chosen = set(top) | owned
            top += [int(p) for p in popular[: k + len(chosen)] if p not in chosen][: k - len(top)]
        ranked.append(top)
    return ranked


def _implicit_als(data: _Data, k: int, seed: int) -> list[list[int]]:
    from implicit.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    user_items = sp.csr_matrix(data.train, dtype=np.float32)
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=64, regularization=0.05, iterations=15, random_state=seed, num_threads=1
        )
        # Confidence 1 + alpha·r with alpha 20, as Hu, Koren and Volinsky suggest.
        model.fit(sp.csr_matrix(user_items * 20.0), show_progress=False)
        ids, _ = model.recommend(
            data.users, user_items[data.users], N=k, filter_already_liked_items=True
        )
    return [[int(p) for p in row if p >= 0] for row in np.atleast_2d(ids)]


def _implicit_cosine(data: _Data, k: int) -> list[list[int]]:
    from implicit.nearest_neighbours import CosineRecommender

    model = CosineRecommender(K=50, num_threads=1)
    user_items = sp.csr_matrix(data.train, dtype=np.float32)
    model.fit(user_items, show_progress=False)
    ids, _ = model.recommend(
        data.users, user_items[data.users], N=k, filter_already_liked_items=True
    )
    return [[int(p) for p in row if p >= 0] for row in np.atleast_2d(ids)]
