"""Fit BG/NBD on simulated customers with ``lifetimes`` and with ``aftersale.analytics``.

Both libraries get the same (frequency, recency, T) arrays in the same run; the script prints
both fit times, the speed ratio and the two sets of parameters.

    PYTHONPATH=src python bench/analytics/bench_bgnbd.py [--customers 1000000] [--repeat 3]

The customers are drawn from the BG/NBD process with the CDNOW parameters; first purchases are
spread over two years and all times are whole days expressed in weeks, as summaries of real
orders are. ``lifetimes`` is needed only here (``pip install lifetimes==0.11.3``), or pass
``--lifetimes-python`` to run it in another virtualenv (see setup-lifetimes-venv.sh).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np

from aftersale.analytics.clv import BetaGeoModel, simulate_bgnbd

TRUTH = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def make_customers(n: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    age_days = rng.integers(1, 2 * 365, n)
    sim = simulate_bgnbd(n, age_days / 7.0, **TRUTH, seed=rng)
    recency_days = np.minimum(np.round(sim.recency * 7.0), age_days)
    return sim.frequency, recency_days / 7.0, age_days / 7.0


LIFETIMES_SNIPPET = """
import sys, time, json
import numpy as np
from lifetimes import BetaGeoFitter
data = np.load(sys.argv[1])
start = time.perf_counter()
model = BetaGeoFitter().fit(data["x"], data["t_x"], data["T"])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "params": model.params_.to_dict()}))
"""


def time_lifetimes(
    x: np.ndarray, t_x: np.ndarray, age: np.ndarray, python: str | None
) -> tuple[float, dict[str, float]]:
    if python is None:
        from lifetimes import BetaGeoFitter

        start = time.perf_counter()
        model = BetaGeoFitter().fit(x, t_x, age)
        return time.perf_counter() - start, dict(model.params_.to_dict())
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "customers.npz")
        np.savez(path, x=x, t_x=t_x, T=age)
        out = subprocess.run(
            [python, "-c", LIFETIMES_SNIPPET, path], check=True, capture_output=True, text=True
        )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return float(result["seconds"]), dict(result["params"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of our fit (best is shown)")
    parser.add_argument("--lifetimes-python", help="python of a virtualenv that has lifetimes")
    parser.add_argument("--skip-lifetimes", action="store_true")
    args = parser.parse_args()

    x, t_x, age = make_customers(args.customers)
    repeat_buyers = np.count_nonzero(x > 0)
    print(f"customers: {x.size:,}  repeat buyers: {repeat_buyers:,}  cores: {os.cpu_count()}")

    ours = []
    model = BetaGeoModel()
    for _ in range(args.repeat):
        start = time.perf_counter()
        model.fit(x, t_x, age)
        ours.append(time.perf_counter() - start)
    assert model.params_ is not None
    best = min(ours)
    print(f"aftersale.analytics BetaGeoModel.fit: {best:.3f} s (runs: "
          + ", ".join(f"{s:.3f}" for s in ours) + ")")  # fmt: skip
    print(f"  params: {model.params_}")

    if args.skip_lifetimes:
        return
    seconds, params = time_lifetimes(x, t_x, age, args.lifetimes_python)
    print(f"lifetimes BetaGeoFitter.fit: {seconds:.3f} s")
    print(f"  params: {params}")
    print(f"speed ratio (lifetimes / ours): {seconds / best:.1f}x")
    diffs = {k: abs(getattr(model.params_, k) / v - 1) for k, v in params.items()}
    print("relative parameter difference: " + ", ".join(f"{k} {d:.1e}" for k, d in diffs.items()))


if __name__ == "__main__":
    main()
