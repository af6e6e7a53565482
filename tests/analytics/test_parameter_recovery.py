"""The estimators recover the parameters that generated simulated customers.

Tolerances are stated per parameter: the purchase-rate parameters are pinned down much more
tightly than the dropout ones, which are identified only through who stopped buying.
Times are rounded to whole days, as summaries of real orders are.
"""

from __future__ import annotations

import numpy as np
import pytest

from aftersale.analytics.clv import (
    BetaGeoModel,
    ParetoNBDModel,
    SimulatedHistories,
    simulate_bgnbd,
    simulate_paretonbd,
)

N = 50_000


def days(sim: SimulatedHistories) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    recency = np.minimum(np.round(sim.recency * 7) / 7, sim.T)
    return sim.frequency, recency, sim.T


def ages(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(30 * 7, 80 * 7, N) / 7


@pytest.mark.parametrize("seed", [1, 2])
def test_bgnbd_recovers_its_parameters(seed: int) -> None:
    truth = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    sim = simulate_bgnbd(N, ages(seed), **truth, seed=seed)
    model = BetaGeoModel().fit(*days(sim))
    assert model.params_ is not None
    tolerance = {"r": 0.05, "alpha": 0.05, "a": 0.15, "b": 0.15}
    for name, value in truth.items():
        assert getattr(model.params_, name) == pytest.approx(value, rel=tolerance[name]), name


def test_paretonbd_recovers_its_parameters() -> None:
    truth = {"r": 0.55, "alpha": 10.0, "s": 0.6, "beta": 12.0}
    sim = simulate_paretonbd(N, ages(3), **truth, seed=3)
    model = ParetoNBDModel().fit(*days(sim))
    assert model.params_ is not None
    tolerance = {"r": 0.05, "alpha": 0.05, "s": 0.15, "beta": 0.15}
    for name, value in truth.items():
        assert getattr(model.params_, name) == pytest.approx(value, rel=tolerance[name]), name


def test_the_simulators_keep_histories_consistent() -> None:
    for sim in (
        simulate_bgnbd(1000, 52.0, 0.3, 3.0, 0.5, 2.0, seed=0),
        simulate_paretonbd(1000, 52.0, 0.3, 3.0, 0.5, 2.0, seed=0),
    ):
        assert np.all(sim.recency <= sim.T)
        assert np.all((sim.frequency == 0) == (sim.recency == 0))
        assert np.all(sim.frequency == np.floor(sim.frequency))


def test_a_fitted_bgnbd_forecasts_the_simulated_future() -> None:
    """Simulate 52 weeks, fit on the first 26, and compare the forecast of the rest."""
    from aftersale.analytics.clv.simulate import simulate_bgnbd as sim_bg

    full = sim_bg(N, 52.0, 0.25, 4.0, 0.8, 2.5, seed=11)
    model = BetaGeoModel().fit(full.frequency, full.recency, full.T)
    assert model.params_ is not None
    expected_new = model.expected_purchases(52.0)
    assert expected_new == pytest.approx(full.frequency.mean(), rel=0.03)
