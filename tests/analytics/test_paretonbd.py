"""Pareto/NBD: published CDNOW estimates, lifetimes' forecasts, and numerical edge cases."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from aftersale.analytics.clv import ParetoNBDModel, ParetoNBDParams
from aftersale.analytics.datasets import CdnowSummary

PUBLISHED = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}  # Fader, Hardie & Lee 2005


def significant(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant figures."""
    return float(f"{value:.{digits}g}")


@pytest.fixture(scope="module")
def fitted(cdnow: CdnowSummary) -> ParetoNBDModel:
    return ParetoNBDModel().fit(cdnow.frequency, cdnow.recency, cdnow.T)


def with_params(params: dict[str, float]) -> ParetoNBDModel:
    model = ParetoNBDModel()
    model.params_ = ParetoNBDParams(params["r"], params["alpha"], params["s"], params["beta"])
    return model


def test_it_reproduces_the_published_cdnow_estimates(fitted: ParetoNBDModel) -> None:
    assert fitted.params_ is not None
    for name, published in PUBLISHED.items():
        value = getattr(fitted.params_, name)
        assert significant(value) == significant(published), name
        assert value == pytest.approx(published, abs=5e-4 * max(1.0, published / 5)), name
    assert fitted.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)


def test_it_gives_lifetimes_predictions_exactly_at_the_same_parameters(
    cdnow: CdnowSummary, lifetimes_reference: dict[str, Any]
) -> None:
    ref = lifetimes_reference["paretonbd"]
    model = with_params(ref["params"])
    forecast = model.expected_purchases(
        cdnow.duration_holdout, cdnow.frequency, cdnow.recency, cdnow.T
    )
    np.testing.assert_allclose(forecast, ref["expected_purchases_holdout"], rtol=1e-8)
    alive = model.p_alive(cdnow.frequency, cdnow.recency, cdnow.T)
    np.testing.assert_allclose(alive, ref["p_alive"], rtol=1e-8)
    assert model.expected_purchases(39.0) == pytest.approx(
        ref["expected_purchases_new_39"], rel=1e-9
    )
    for i, expected in zip(ref["pmf_customers"], ref["p_purchases_conditional_39"], strict=True):
        got = [
            float(model.p_purchases(n, 39.0, cdnow.frequency[i], cdnow.recency[i], cdnow.T[i])[0])
            for n in range(4)
        ]
        np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-12)


def test_its_own_fit_gives_the_lifetimes_holdout_forecast(
    fitted: ParetoNBDModel, cdnow: CdnowSummary, lifetimes_reference: dict[str, Any]
) -> None:
    forecast = fitted.expected_purchases(
        cdnow.duration_holdout, cdnow.frequency, cdnow.recency, cdnow.T
    )
    ref = np.asarray(lifetimes_reference["paretonbd"]["expected_purchases_holdout"])
    # lifetimes stops Nelder-Mead at tol=1e-4, so its parameters differ in the 4th digit
    np.testing.assert_allclose(forecast, ref, rtol=2e-3)
    assert forecast.sum() == pytest.approx(ref.sum(), rel=1e-3)


def test_p_alive_is_a_probability_and_falls_with_inactivity(fitted: ParetoNBDModel) -> None:
    x = np.array([0, 1, 5, 50, 500, 5000], dtype=float)
    for t_x, age in [(0.0, 10.0), (5.0, 10.0), (1.0, 1000.0), (999.0, 1000.0)]:
        alive = fitted.p_alive(x, np.where(x > 0, t_x, 0.0), np.full(x.size, age))
        assert np.all((alive >= 0) & (alive <= 1))
    ages = np.linspace(10, 200, 20)
    alive = fitted.p_alive(np.full(20, 3.0), np.full(20, 10.0), ages)
    assert np.all(np.diff(alive) < 0)
    assert fitted.p_alive(4, 30.0, 30.0)[0] == pytest.approx(1.0)


def test_it_handles_both_branches_of_the_likelihood() -> None:
    x = np.array([0, 1, 3, 40, 400], dtype=float)
    t_x = np.array([0, 2.0, 20.0, 35.0, 39.0])
    age = np.full(5, 40.0)
    # alpha > beta and alpha < beta; compare the closed form with direct numerical integration
    for params in (ParetoNBDParams(0.6, 12.0, 0.7, 3.0), ParetoNBDParams(0.6, 3.0, 0.7, 12.0)):
        model = ParetoNBDModel()
        model.params_ = params
        got = model.log_likelihood(x, t_x, age)
        np.testing.assert_allclose(
            got, _log_likelihood_by_quadrature(params, x, t_x, age), rtol=1e-7
        )


def _log_likelihood_by_quadrature(
    p: ParetoNBDParams, x: np.ndarray, t_x: np.ndarray, age: np.ndarray
) -> np.ndarray:
    from scipy.integrate import quad
    from scipy.special import gammaln

    out = []
    for xi, ti, Ti in zip(x, t_x, age, strict=True):
        head = gammaln(p.r + xi) - gammaln(p.r) + p.r * np.log(p.alpha) + p.s * np.log(p.beta)
        log_alive = -(p.r + xi) * np.log(p.alpha + Ti) - p.s * np.log(p.beta + Ti)

        def log_integrand(y: float, xi: float = xi) -> float:
            return float(-(p.r + xi) * np.log(p.alpha + y) - (p.s + 1) * np.log(p.beta + y))

        peak = log_integrand(ti)  # the integrand decreases in y; scale it to avoid underflow
        integral, _ = quad(
            lambda y, peak=peak: np.exp(log_integrand(y) - peak), ti, Ti, epsabs=0, epsrel=1e-12
        )
        log_dead = np.log(p.s) + np.log(integral) + peak if integral > 0 else -np.inf
        out.append(head + np.logaddexp(log_alive, log_dead))
    return np.array(out)


def test_it_has_no_overflow_or_nan_at_the_extremes(fitted: ParetoNBDModel) -> None:
    x = np.array([0, 0, 1, 300, 300, 10_000], dtype=float)
    t_x = np.array([0, 0, 0.01, 500.0, 5000.0, 9999.0])
    age = np.array([0.0, 1e5, 1e5, 500.0, 1e5, 1e4])
    for values in (
        fitted.p_alive(x, t_x, age),
        fitted.expected_purchases(52.0, x, t_x, age),
        fitted.p_purchases(2, 52.0, x, t_x, age),
        fitted.log_likelihood(x, t_x, age),
    ):
        assert np.all(np.isfinite(values))


def test_the_purchase_distribution_sums_to_one(fitted: ParetoNBDModel) -> None:
    total = sum(float(fitted.p_purchases(n, 26.0)[0]) for n in range(300))
    assert total == pytest.approx(1.0, abs=1e-6)
