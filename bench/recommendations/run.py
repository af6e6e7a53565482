"""Recommendations benchmark: mining what customers kept together, and the offline evaluation.

1. **Mining** (the nightly step): the sparse co-occurrence of ``aftersale.analytics.
   bought_together`` over a shop's kept lines, beside a plain Python loop over every
   customer's pairs of products (the obvious way to write it) on the same lines, with the
   ratio. Both give the same pairs (checked).
2. **Evaluation**: ``aftersale evaluate-recommendations`` on the same shop (time split 90 days
   before its last order): hit rate@10, recall@10 and MRR@10 of ours, popularity, random and,
   when installed (``pip install -e ".[eval]"``), the ``implicit`` library's ALS and item-item.

- ``run.py [--customers N]`` makes a fresh demo (SQLite in a temporary directory) with N
  customers of Pohjola Style (20,000 by default: about 53,800 orders), or in the empty
  database given as ``BENCH_DATABASE_URL``;
- ``run.py --shop SLUG`` measures an existing database (DATABASE_URL / AFTERSALE_VAR).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--customers", type=int, default=20_000)
parser.add_argument("--shop", help="measure this shop of the existing database")
parser.add_argument("--end-date", default="2026-11-30", help="the demo's last day")
args = parser.parse_args()

if not args.shop:
    TMP = tempfile.mkdtemp(prefix="aftersale-bench-recommendations-")
    database = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
    os.environ.update(DATABASE_URL=database, AFTERSALE_VAR=TMP)
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.update(DJANGO_SETTINGS_MODULE="aftersale.settings", LOG_LEVEL="WARNING")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402

from aftersale.analytics.bought_together import BoughtTogether  # noqa: E402
from aftersale.core.models import Shop  # noqa: E402
from aftersale.recommendations import mining  # noqa: E402

if not args.shop:
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("demo", "--end-date", args.end_date, customers=args.customers, stdout=quiet)
shops = Shop.objects.filter(slug=args.shop) if args.shop else Shop.objects.order_by("pk")[:1]
shop = shops.get()


def python_pairs(customers, products, categories, min_customers, min_lift):
    """The plain way: every customer's set of products, every pair counted in a dict."""
    baskets: dict[int, set[int]] = {}
    for c, p in zip(customers.tolist(), products.tolist(), strict=True):
        baskets.setdefault(c, set()).add(p)
    buyers: Counter[int] = Counter()
    together: Counter[tuple[int, int]] = Counter()
    for items in baskets.values():
        buyers.update(items)
        for a, b in itertools.permutations(items, 2):
            together[a, b] += 1
    total = len(baskets)
    pairs = set()
    for (a, b), n in together.items():
        if n < min_customers or categories[a] == categories[b] >= 0:
            continue
        if n * total / (buyers[a] * buyers[b]) >= min_lift:
            pairs.add((a, b))
    return pairs


customers, products, _ = mining.kept_purchases(shop)
ids, categories = mining.product_categories(shop)
_, rows = np.unique(customers, return_inverse=True)
cols = np.searchsorted(ids, products)
print(
    f"{shop.slug}: {customers.size:,} kept lines, {rows.max() + 1:,} customers, "
    f"{ids.size:,} products"
)
timings = {}
for name in ("sparse (ours)", "python pair loop"):
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        if name == "sparse (ours)":
            model = BoughtTogether(
                min_customers=mining.MIN_CUSTOMERS, min_lift=mining.MIN_LIFT, max_related=10**9
            ).fit(rows, cols, categories=categories)
            found = set(zip(model.product_.tolist(), model.related_.tolist(), strict=True))
        else:
            baseline = python_pairs(rows, cols, categories, mining.MIN_CUSTOMERS, mining.MIN_LIFT)
        best = min(best, time.perf_counter() - started)
    timings[name] = best
assert found == baseline, "the two ways disagree"
print(f"mining, {len(found):,} pairs (best of 3):")
for name, seconds in timings.items():
    ratio = seconds / timings["sparse (ours)"]
    print(f"  {name:<18} {seconds * 1000:>9.1f} ms   {ratio:>6.1f}× ours")
started = time.perf_counter()
stored = mining.compute_bought_together(shop)
print(f"nightly step (load, mine, store {stored:,} rows): {time.perf_counter() - started:.2f} s")
print()
call_command("evaluate_recommendations", shop=shop.slug)
