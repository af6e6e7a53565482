"""The nightly mining of what customers keep together into ``BoughtTogether`` rows."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from django.db import transaction
from django.utils import timezone

from aftersale.analytics.bought_together import BoughtTogether as Miner
from aftersale.catalog.models import Product
from aftersale.core.models import Shop
from aftersale.insights.loading import erased_customers
from aftersale.recommendations.models import BoughtTogether
from aftersale.recommendations.selectors import kept_lines

# A pair counts when at least this many customers kept both, this many times more often than
# chance; each product keeps its best pairs only.
MIN_CUSTOMERS = 3
MIN_LIFT = 1.5
MAX_RELATED = 20


def kept_purchases(shop: Shop, *, until: datetime | None = None):
    """(customer ids, product ids, placed at) of the shop's kept lines, oldest first; erased
    customers are left out."""
    lines = kept_lines(shop).exclude(order__customer_id__in=erased_customers(shop))
    if until is not None:
        lines = lines.filter(order__placed_at__lt=until)
    rows = list(
        lines.values_list("order__customer_id", "variant__product_id", "order__placed_at").order_by(
            "order__placed_at", "pk"
        )
    )
    customers = np.array([r[0] for r in rows], dtype=np.int64)
    products = np.array([r[1] for r in rows], dtype=np.int64)
    placed = [r[2] for r in rows]
    return customers, products, placed


def product_categories(shop: Shop) -> tuple[np.ndarray, np.ndarray]:
    """The shop's product ids (sorted) and each one's category id (-1: none)."""
    rows = sorted(Product.objects.for_shop(shop).values_list("pk", "category_id"))
    ids = np.array([pk for pk, _ in rows], dtype=np.int64)
    categories = np.array([-1 if c is None else c for _, c in rows], dtype=np.int64)
    return ids, categories


def compute_bought_together(shop: Shop, *, now: datetime | None = None) -> int:
    """Mine the shop's kept lines and replace its ``BoughtTogether`` rows (one transaction);
    returns how many pairs were stored."""
    now = now or timezone.now()
    customers, products, _ = kept_purchases(shop, until=now)
    ids, categories = product_categories(shop)
    rows: list[BoughtTogether] = []
    if customers.size and ids.size:
        _, customer_index = np.unique(customers, return_inverse=True)
        product_index = np.searchsorted(ids, products)
        miner = Miner(min_customers=MIN_CUSTOMERS, min_lift=MIN_LIFT, max_related=MAX_RELATED)
        miner.fit(customer_index, product_index, categories=categories)
        rows = [
            BoughtTogether(
                shop=shop,
                product_id=int(ids[a]),
                related_id=int(ids[b]),
                customers=int(n),
                lift=float(lift),
                score=float(score),
                computed_at=now,
            )
            for a, b, n, lift, score in zip(
                miner.product_,
                miner.related_,
                miner.customers_,
                miner.lift_,
                miner.score_,
                strict=True,
            )
        ]
    with transaction.atomic():
        BoughtTogether.objects.for_shop(shop).delete()
        BoughtTogether.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
