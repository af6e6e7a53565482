"""The win-back rule, checked on simulated customers whose activity is known, with one-time
buyers (where BG/NBD's P(alive) is always 1) in particular."""

from __future__ import annotations

import numpy as np

from aftersale.analytics import BetaGeoModel, BetaGeoParams
from aftersale.analytics.lapsing import LapsingThresholds, lapsing, median_gap_days


def _one_time_buyers(n: int, seed: int):
    """Customers of a Pareto/NBD-like shop seen at ages of 0-730 days after a first order:
    each buys at rate ``lam`` per day until an exponential dropout time. Returns, for those
    who have not bought again by their age, their age and whether they buy in the next 90
    days."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(0.8, 1 / 40, n)  # about one order per 50 days while active
    dropout = rng.exponential(1 / rng.gamma(1.0, 1 / 200, n))  # mean lifetime around 200 days
    age = rng.uniform(0, 730, n)
    first_repeat = rng.exponential(1 / lam)
    one_time = first_repeat > np.minimum(age, dropout)
    # Memoryless: the next purchase after ``age`` comes after another exponential wait.
    next_buy = age + rng.exponential(1 / lam)
    buys_next_90 = (dropout > age) & (next_buy <= np.minimum(age + 90, dropout))
    return age[one_time], buys_next_90[one_time]


def test_p_alive_alone_never_flags_a_one_time_buyer():
    model = BetaGeoModel()
    model.params_ = BetaGeoParams(r=0.25, alpha=4.4, a=0.8, b=2.4)
    assert (model.p_alive(np.zeros(3), np.zeros(3), np.array([10.0, 300, 900])) == 1).all()


def test_the_one_time_rule_picks_out_those_unlikely_to_return():
    age, returns = _one_time_buyers(200_000, seed=4)
    flagged = lapsing(
        np.ones_like(age),
        np.ones_like(age),  # BG/NBD: P(alive) = 1 for every one-time buyer
        np.full_like(age, 0.5),
        age,
        median_gap_days=50.0,
    )
    assert 0.2 < flagged.mean() < 0.9  # it flags some, not all
    rate_flagged = returns[flagged].mean()
    rate_kept = returns[~flagged].mean()
    # Flagged one-time buyers come back less than half as often as those not flagged.
    assert rate_flagged < 0.5 * rate_kept


def test_repeat_buyers_follow_the_model():
    flags = lapsing(
        np.array([3, 3, 3, 2]),
        np.array([0.4, 0.9, 0.9, np.nan]),
        np.array([0.5, 0.05, 0.5, np.nan]),
        np.array([10.0, 10.0, 400.0, 400.0]),
        median_gap_days=30.0,
    )
    assert flags.tolist() == [True, True, False, False]


def test_the_one_time_threshold_is_at_least_90_days():
    t = LapsingThresholds()
    assert t.one_time_days(20.0) == 90.0
    assert t.one_time_days(60.0) == 120.0
    assert t.one_time_days(float("nan")) == 90.0
    assert median_gap_days(np.array([0.0, 2.0, 1.0]), np.array([0.0, 60.0, 40.0])) == 35.0
