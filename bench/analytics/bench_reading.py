"""Read, validate and summarise a 10-million-line export: aftersale.analytics beside pandas.

    PYTHONPATH=src python bench/analytics/bench_reading.py [--lines 10000000] [--format csv]

Writes a seeded shop's orders and returns (the same shop as bench_scoring.py: BG/NBD buyers,
1-3 lines per order, 15 % of lines returned, 1 % of parcels unclaimed) as CSV and Parquet
under ``var/bench-analytics/`` (made once, then reused), then runs in the same session, each
side in its own child process so that its peak memory (``ru_maxrss``) is its own:

* **aftersale**: ``read_orders`` + ``read_returns`` (every check of docs/analytics.md) and the
  per-customer summary (histories, value after returns);
* **pandas**: ``pandas.read_csv`` / ``read_parquet``, the same conversions and checks done the
  usual pandas way (``to_datetime``, ``to_numeric``, ``groupby``), and the same summary.

It prints both times and peak memories and their ratios. pandas is a bench-only dependency
(it comes with the ``[distributed]`` extra, which the dev extra includes).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def write_files(lines: int, directory: Path) -> dict[str, tuple[Path, Path]]:
    """The seeded shop as orders/returns CSV and Parquet (reused when already written)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    from bench_scoring import make_shop

    files = {
        fmt: (directory / f"orders-{lines}.{fmt}", directory / f"returns-{lines}.{fmt}")
        for fmt in ("csv", "parquet")
    }
    if all(path.exists() for pair in files.values() for path in pair):
        return files
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    orders, returns = make_shop(lines)
    order_table = pa.table(
        {
            "order_id": orders.order_id.astype(np.int64),
            "customer_id": orders.customer_id.astype(np.int64),
            "ordered_at": pa.array(orders.ordered_at.astype("datetime64[D]"), pa.date32()),
            "amount": orders.amount,
            "cost": orders.cost,
            "sku": np.asarray(orders.sku).astype(np.int64),
        }
    )
    return_table = pa.table(
        {
            "order_id": returns.order_id.astype(np.int64),
            "returned_amount": pa.array(returns.amount, from_pandas=True),  # NaN: whole order
            "return_shipping": returns.shipping_cost,
            "unclaimed": returns.unclaimed,
            "unclaimed_cost": returns.unclaimed_cost,
        }
    )
    for table, (csv_path, parquet_path) in (
        (order_table, (files["csv"][0], files["parquet"][0])),
        (return_table, (files["csv"][1], files["parquet"][1])),
    ):
        pacsv.write_csv(table, csv_path, pacsv.WriteOptions(quoting_style="none"))
        pq.write_table(table, parquet_path)
    print(
        f"wrote {len(orders):,} order lines and {len(returns):,} returns "
        f"in {time.perf_counter() - started:.1f} s to {directory}",
        flush=True,
    )
    return files


def run_ours(orders_path: str, returns_path: str) -> dict[str, float]:
    from aftersale.analytics.csv_import import read_orders, read_returns
    from aftersale.analytics.net_value import net_value_of_orders
    from aftersale.analytics.orders import OrderTotals
    from aftersale.analytics.summary import summarize_purchases

    started = time.perf_counter()
    orders = read_orders(orders_path)
    read = time.perf_counter()
    returns = read_returns(returns_path, orders)
    read_back = time.perf_counter()
    totals = OrderTotals.from_lines(orders)
    summary = summarize_purchases(totals.customer, totals.ordered_at, totals.amount)
    value = net_value_of_orders(totals, returns)
    done = time.perf_counter()
    return {
        "orders_s": read - started,
        "returns_s": read_back - read,
        "summary_s": done - read_back,
        "seconds": done - started,
        "lines": len(orders),
        "customers": len(summary),
        "net_revenue": float(value.net_revenue.sum()),
    }


def run_pandas(orders_path: str, returns_path: str) -> dict[str, float]:
    import numpy as np
    import pandas as pd

    def load(path: str) -> pd.DataFrame:
        if path.endswith(".parquet"):
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False)

    started = time.perf_counter()
    frame = load(orders_path)
    for column in ("order_id", "customer_id"):
        ids = frame[column].astype(str).str.strip()
        if (ids == "").any():
            raise ValueError(f"empty {column}")
        frame[column] = pd.to_numeric(ids) if ids.str.fullmatch(r"0|[1-9]\d{0,17}").all() else ids
    frame["ordered_at"] = pd.to_datetime(
        frame["ordered_at"].astype(str).str.slice(0, 10), format="%Y-%m-%d"
    )
    for column in ("amount", "cost"):
        frame[column] = pd.to_numeric(frame[column])
    if (frame["amount"] < 0).any():
        raise ValueError("negative amount")
    per_order = frame.groupby("order_id").agg(
        customers=("customer_id", "nunique"),
        days=("ordered_at", "nunique"),
        customer_id=("customer_id", "first"),
        ordered_at=("ordered_at", "first"),
        amount=("amount", "sum"),
    )
    if (per_order["customers"] > 1).any() or (per_order["days"] > 1).any():
        raise ValueError("an order with two customers or days")
    if (per_order["amount"] <= 0).any():
        raise ValueError("a free order")
    read = time.perf_counter()
    returns = load(returns_path)
    returns["order_id"] = pd.to_numeric(returns["order_id"].astype(str))
    returns["returned_amount"] = pd.to_numeric(
        returns["returned_amount"].replace("", np.nan), errors="raise"
    )
    if not returns["order_id"].isin(per_order.index).all():
        raise ValueError("unknown order")
    refunded = returns.groupby("order_id")["returned_amount"].sum()
    if (refunded > per_order["amount"].reindex(refunded.index) + 0.005).any():
        raise ValueError("refund larger than its order")
    read_back = time.perf_counter()
    per_day = per_order.groupby(["customer_id", "ordered_at"], as_index=False)["amount"].sum()
    grouped = per_day.groupby("customer_id").agg(
        first=("ordered_at", "min"), last=("ordered_at", "max"), count=("amount", "size"),
        total=("amount", "sum"),
    )  # fmt: skip
    end = per_day["ordered_at"].max()
    summary = pd.DataFrame(
        {
            "frequency": grouped["count"] - 1,
            "recency": (grouped["last"] - grouped["first"]).dt.days / 7.0,
            "T": (end - grouped["first"]).dt.days / 7.0,
        }
    )
    whole = returns["returned_amount"].fillna(returns["order_id"].map(per_order["amount"]))
    by_customer = whole.groupby(returns["order_id"].map(per_order["customer_id"])).sum()
    net = grouped["total"].sub(by_customer, fill_value=0.0)
    done = time.perf_counter()
    return {
        "orders_s": read - started,
        "returns_s": read_back - read,
        "summary_s": done - read_back,
        "seconds": done - started,
        "lines": len(frame),
        "customers": len(summary),
        "net_revenue": float(net.sum()),
    }


def child(side: str, orders_path: str, returns_path: str) -> None:
    import resource

    cpu = time.process_time()
    result = (run_ours if side == "ours" else run_pandas)(orders_path, returns_path)
    result["cpu_s"] = time.process_time() - cpu
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def measure(side: str, orders_path: Path, returns_path: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, __file__, "--child", side, str(orders_path), str(returns_path)],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--format", choices=["csv", "parquet", "both"], default="both")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench-analytics")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    files = write_files(args.lines, args.dir)
    formats = ["csv", "parquet"] if args.format == "both" else [args.format]
    for fmt in formats:
        orders_path, returns_path = files[fmt]
        size = (orders_path.stat().st_size + returns_path.stat().st_size) / 2**20
        print(
            f"== {fmt}: {orders_path.name} + {returns_path.name} ({size:,.0f} MiB), "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        ours = measure("ours", orders_path, returns_path)
        print(
            f"aftersale: {ours['seconds']:6.1f} s wall, {ours['cpu_s']:.1f} s CPU "
            f"(orders {ours['orders_s']:.1f}, returns "
            f"{ours['returns_s']:.1f}, summary {ours['summary_s']:.1f}), peak "
            f"{ours['peak_mib']:,.0f} MiB; {ours['lines']:,.0f} lines, "
            f"{ours['customers']:,.0f} customers",
            flush=True,
        )
        if args.skip_pandas:
            continue
        theirs = measure("pandas", orders_path, returns_path)
        print(
            f"pandas:    {theirs['seconds']:6.1f} s wall, {theirs['cpu_s']:.1f} s CPU "
            f"(orders {theirs['orders_s']:.1f}, returns "
            f"{theirs['returns_s']:.1f}, summary {theirs['summary_s']:.1f}), peak "
            f"{theirs['peak_mib']:,.0f} MiB; {theirs['customers']:,.0f} customers",
            flush=True,
        )
        print(
            f"ratio: {theirs['seconds'] / ours['seconds']:.1f}x faster (wall), "
            f"{theirs['cpu_s'] / ours['cpu_s']:.1f}x less CPU, "
            f"{theirs['peak_mib'] / ours['peak_mib']:.1f}x less memory; net revenue "
            f"{ours['net_revenue']:,.2f} vs {theirs['net_revenue']:,.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
