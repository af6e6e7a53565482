"""Gamma-Gamma fit and per-customer predictions at 1,000,000 untiled customers, beside lifetimes.

    PYTHONPATH=src python bench/analytics/bench_gammagamma.py [--customers 1000000]
        [--lifetimes-python .venv-lifetimes/bin/python]

Every customer is drawn on their own (no tiling of a small data set, so almost every row is
distinct, as in a real shop): BG/NBD purchasing with the CDNOW parameters over two years in
whole days, and each repeat buyer's average spend from the Gamma-Gamma process with the CDNOW
spend parameters, rounded to cents. Both libraries then, on the same arrays in the same run:

* **fit**: the Gamma-Gamma model on the repeat buyers;
* **predict**: P(alive), expected purchases in the next 52 weeks and expected spend for every
  customer, from the same BG/NBD and Gamma-Gamma parameters (lifetimes is handed ours, so
  only the prediction is timed).

It prints both times (ours: best of ``--repeat``; lifetimes: one run), the ratios and the
largest relative difference between the two libraries' answers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from aftersale.analytics.clv import BetaGeoModel, GammaGammaModel, simulate_bgnbd  # noqa: E402
from aftersale.analytics.clv.bgnbd import BetaGeoParams  # noqa: E402

BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
SPEND = {"p": 6.25, "q": 3.74, "gamma": 15.44}
HORIZON = 52.0


def make_customers(n: int, seed: int = 11) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    age_days = rng.integers(1, 2 * 365, n)
    sim = simulate_bgnbd(n, age_days / 7.0, **BGNBD, seed=rng)
    recency_days = np.minimum(np.round(sim.recency * 7.0), age_days)
    x = sim.frequency
    nu = rng.gamma(SPEND["q"], 1.0 / SPEND["gamma"], n)
    mean_spend = rng.gamma(SPEND["p"] * np.maximum(x, 1), 1.0 / (nu * np.maximum(x, 1)))
    m = np.where(x > 0, np.maximum(np.round(mean_spend, 2), 0.01), 0.0)
    return {"x": x, "t_x": recency_days / 7.0, "T": age_days / 7.0, "m": m}


LIFETIMES_SNIPPET = """
import sys, time, json
import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
data = np.load(sys.argv[1])
x, t_x, T, m = data["x"], data["t_x"], data["T"], data["m"]
buyers = x > 0
start, cpu = time.perf_counter(), time.process_time()
gg = GammaGammaFitter().fit(x[buyers], m[buyers])
fit, fit_cpu = time.perf_counter() - start, time.process_time() - cpu
bg = BetaGeoFitter()
bg.params_ = pd.Series(json.loads(sys.argv[2]))
gg_ours = GammaGammaFitter()
gg_ours.params_ = pd.Series(json.loads(sys.argv[3]))
start, cpu = time.perf_counter(), time.process_time()
alive = bg.conditional_probability_alive(x, t_x, T)
expected = bg.conditional_expected_number_of_purchases_up_to_time(HORIZON, x, t_x, T)
spend = gg_ours.conditional_expected_average_profit(x, m)
predict, predict_cpu = time.perf_counter() - start, time.process_time() - cpu
out = sys.argv[4]
np.savez(out, alive=np.asarray(alive), expected=np.asarray(expected), spend=np.asarray(spend))
print(json.dumps({"fit": fit, "predict": predict, "fit_cpu": fit_cpu,
                  "predict_cpu": predict_cpu, "params": gg.params_.to_dict()}))
""".replace("HORIZON", repr(HORIZON))


def ours(
    data: dict[str, np.ndarray], repeat: int
) -> tuple[dict[str, float], GammaGammaModel, dict]:
    x, t_x, age, m = data["x"], data["t_x"], data["T"], data["m"]
    buyers = x > 0
    fits, predictions, fit_cpus, predict_cpus = [], [], [], []
    model = GammaGammaModel()
    purchase = BetaGeoModel()
    purchase.params_ = BetaGeoParams(**BGNBD)
    given = GammaGammaModel()
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        model.fit(x[buyers], m[buyers])
        fits.append(time.perf_counter() - start)
        fit_cpus.append(time.process_time() - cpu)
        given.params_ = model.params_
        start, cpu = time.perf_counter(), time.process_time()
        alive = purchase.p_alive(x, t_x, age)
        expected = purchase.expected_purchases(HORIZON, x, t_x, age)
        spend = given.expected_spend(x, m)
        predictions.append(time.perf_counter() - start)
        predict_cpus.append(time.process_time() - cpu)
    answers = {"alive": alive, "expected": expected, "spend": spend}
    times = {
        "fit": min(fits), "predict": min(predictions),
        "fit_cpu": min(fit_cpus), "predict_cpu": min(predict_cpus),
    }  # fmt: skip
    return times, model, answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lifetimes-python", default=sys.executable)
    parser.add_argument("--skip-lifetimes", action="store_true")
    args = parser.parse_args()
    data = make_customers(args.customers)
    buyers = int(np.count_nonzero(data["x"] > 0))
    distinct = np.unique(np.stack([data["x"][data["x"] > 0], data["m"][data["x"] > 0]]), axis=1)
    print(f"customers: {args.customers:,}  repeat buyers: {buyers:,}  distinct (x, m) rows: "
          f"{distinct.shape[1]:,}  cores: {os.cpu_count()}")  # fmt: skip
    mine, model, answers = ours(data, args.repeat)
    assert model.params_ is not None
    print(f"aftersale.analytics: Gamma-Gamma fit {mine['fit']:.3f} s ({mine['fit_cpu']:.3f} s "
          f"CPU), predictions {mine['predict']:.3f} s ({mine['predict_cpu']:.3f} s CPU); "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"  params: {model.params_}")
    if args.skip_lifetimes:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "customers.npz")
        out = os.path.join(tmp, "answers.npz")
        np.savez(path, **data)
        p = model.params_
        result = subprocess.run(
            [
                args.lifetimes_python, "-c", LIFETIMES_SNIPPET, path, json.dumps(BGNBD),
                json.dumps({"p": p.p, "q": p.q, "v": p.gamma}), out,
            ],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        theirs = json.loads(result.stdout.strip().splitlines()[-1])
        their_answers = dict(np.load(out))
    print(
        f"lifetimes: Gamma-Gamma fit {theirs['fit']:.3f} s, predictions {theirs['predict']:.3f} s"
    )
    print(f"  params: {theirs['params']}")
    print(f"ratio (lifetimes / ours), wall: fit {theirs['fit'] / mine['fit']:.1f}x, "
          f"predictions {theirs['predict'] / mine['predict']:.1f}x; CPU: fit "
          f"{theirs['fit_cpu'] / mine['fit_cpu']:.1f}x, predictions "
          f"{theirs['predict_cpu'] / mine['predict_cpu']:.1f}x")  # fmt: skip
    their = theirs["params"]
    diff = max(abs(p.p / their["p"] - 1), abs(p.q / their["q"] - 1), abs(p.gamma / their["v"] - 1))
    print(f"largest relative parameter difference: {diff:.1e}")
    for key in ("alive", "expected", "spend"):
        gap = np.max(
            np.abs(answers[key] - their_answers[key]) / np.maximum(their_answers[key], 1e-12)
        )
        print(f"  {key}: largest relative difference {gap:.1e}")


if __name__ == "__main__":
    main()
