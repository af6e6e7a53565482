"""Score every customer from 10,000,000 order lines: summaries, fits, predictions, net margin.

    PYTHONPATH=src python bench/analytics/bench_scoring.py [--lines 10000000]

Generates a seeded shop (BG/NBD purchasing with the CDNOW parameters, 1-3 lines per order,
log-normal prices, 15 % of lines returned, 1 % of parcels unclaimed), then times
``aftersale.analytics.score_customers`` end to end and prints the peak memory. For a ratio it
also times a baseline on the same input: per-customer summaries with pandas ``groupby`` (the
way ``lifetimes.utils.summary_data_from_transaction_data`` builds them) plus ``lifetimes``'
BG/NBD fit on a 5 % sample of the customers, scaled up linearly; this is a lower bound of what
the lifetimes route would take, since its fit grows faster than linearly. The baseline needs
pandas and lifetimes; ``--skip-baseline`` leaves it out.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc

import numpy as np

from aftersale.analytics import OrderLines, Returns, score_customers
from aftersale.analytics.clv import simulate_bgnbd


def make_shop(lines: int, seed: int = 7) -> tuple[OrderLines, Returns]:
    """About ``lines`` order lines from a simulated shop observed for two years."""
    rng = np.random.default_rng(seed)
    customers = int(lines / 4.7)  # about 4.7 order lines per customer
    end = np.datetime64("2025-12-31")
    age_days = rng.integers(1, 2 * 365, customers)
    sim = simulate_bgnbd(customers, age_days / 7.0, 0.243, 4.414, 0.793, 2.426, seed=rng)
    x = sim.frequency.astype(np.int64)
    # purchase days: the first at birth, the last repeat at t_x, the others uniform before it
    purchases = x + 1
    owner = np.repeat(np.arange(customers), purchases)
    index_in_customer = np.arange(owner.size) - np.repeat(
        np.cumsum(purchases) - purchases, purchases
    )
    recency_days = np.round(sim.recency * 7.0)
    offset = np.where(
        index_in_customer == 0,
        0.0,
        np.where(
            index_in_customer == x[owner],
            recency_days[owner],
            np.floor(rng.random(owner.size) * recency_days[owner]),
        ),
    )
    birth = end - age_days.astype("timedelta64[D]")
    order_day = birth[owner] + offset.astype("timedelta64[D]")
    n_orders = owner.size
    lines_per_order = rng.integers(1, 4, n_orders)
    line_order = np.repeat(np.arange(n_orders), lines_per_order)
    amount = np.round(rng.lognormal(3.3, 0.6, line_order.size), 2)
    orders = OrderLines.from_arrays(
        line_order,
        owner[line_order],
        order_day[line_order],
        amount,
        cost=np.round(amount * 0.55, 2),
        sku=rng.integers(0, 5000, line_order.size),
    )
    returned = np.flatnonzero(rng.random(line_order.size) < 0.15)
    unclaimed_orders = np.flatnonzero(rng.random(n_orders) < 0.01)
    returns = Returns.from_arrays(
        np.concatenate([line_order[returned], unclaimed_orders]),
        np.concatenate([amount[returned], np.full(unclaimed_orders.size, np.nan)]),
        shipping_cost=np.concatenate(
            [np.full(returned.size, 4.9), np.zeros(unclaimed_orders.size)]
        ),
        unclaimed=np.concatenate(
            [np.zeros(returned.size, dtype=bool), np.ones(unclaimed_orders.size, dtype=bool)]
        ),
        unclaimed_cost=np.concatenate(
            [np.zeros(returned.size), np.full(unclaimed_orders.size, 9.9)]
        ),
    )
    return orders, returns


def baseline(orders: OrderLines, sample_share: float = 0.05) -> float:
    """pandas groupby summaries + lifetimes BG/NBD fit on a sample, scaled to all customers."""
    import pandas as pd
    from lifetimes import BetaGeoFitter

    start = time.perf_counter()
    frame = pd.DataFrame(
        {"customer": orders.customer_id, "day": orders.ordered_at, "amount": orders.amount}
    )
    per_day = frame.groupby(["customer", "day"], sort=False, as_index=False)["amount"].sum()
    grouped = per_day.groupby("customer")["day"].agg(["min", "max", "count"])
    end = per_day["day"].max()
    summary = pd.DataFrame(
        {
            "frequency": grouped["count"] - 1,
            "recency": (grouped["max"] - grouped["min"]).dt.days / 7.0,
            "T": (end - grouped["min"]).dt.days / 7.0,
        }
    )
    summaries = time.perf_counter() - start
    sample = summary.sample(frac=sample_share, random_state=0)
    start = time.perf_counter()
    BetaGeoFitter().fit(sample["frequency"], sample["recency"], sample["T"])
    fit = (time.perf_counter() - start) / sample_share
    print(f"  baseline: pandas summaries {summaries:.1f} s + lifetimes fit {fit:.1f} s "
          f"(measured on {sample_share:.0%} of customers, scaled)")  # fmt: skip
    return summaries + fit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    args = parser.parse_args()

    start = time.perf_counter()
    orders, returns = make_shop(args.lines)
    print(f"generated {len(orders):,} order lines, {len(returns):,} returns "
          f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.tracemalloc:
        tracemalloc.start()
    start = time.perf_counter()
    scores = score_customers(orders, returns)
    seconds = time.perf_counter() - start
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else float("nan")
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scored {len(scores):,} customers in {seconds:.1f} s "
          f"({len(orders) / seconds / 1e6:.2f} M lines/s)")  # fmt: skip
    print(f"  params: {scores.purchase_model.params_}")
    print(f"  peak RSS: {rss_after:,.0f} MiB (data alone: {rss_before:,.0f} MiB)"
          + (f", traced peak: {traced:,.0f} MiB" if args.tracemalloc else ""))  # fmt: skip
    print(f"  serial returners: {np.count_nonzero(scores.value.segment == 'serial_returner'):,}, "
          f"total net CLV: {np.nansum(scores.clv):,.0f}")  # fmt: skip
    if not args.skip_baseline:
        base = baseline(orders)
        print(f"baseline (lower bound): {base:.1f} s -> ratio {base / seconds:.1f}x")


if __name__ == "__main__":
    main()
