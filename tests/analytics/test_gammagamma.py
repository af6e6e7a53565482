"""Gamma-Gamma spend model and CLV against the published estimates and lifetimes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from aftersale.analytics.clv import BetaGeoModel, BetaGeoParams, GammaGammaModel, GammaGammaParams
from aftersale.analytics.datasets import CdnowSummary

PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}  # Fader & Hardie 2013, CDNOW


def significant(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant figures."""
    return float(f"{value:.{digits}g}")


@pytest.fixture(scope="module")
def fitted(cdnow: CdnowSummary) -> GammaGammaModel:
    buyers = cdnow.frequency > 0
    return GammaGammaModel().fit(cdnow.frequency[buyers], cdnow.monetary_value[buyers])


def test_it_reproduces_the_published_cdnow_estimates(fitted: GammaGammaModel) -> None:
    assert fitted.params_ is not None
    for name, published in PUBLISHED.items():
        value = getattr(fitted.params_, name)
        assert significant(value) == significant(published), name
        assert value == pytest.approx(published, abs=5e-3), name


def test_it_matches_lifetimes_expected_spend(
    fitted: GammaGammaModel, cdnow: CdnowSummary, lifetimes_reference: dict[str, Any]
) -> None:
    ref = lifetimes_reference["gammagamma"]
    assert fitted.params_ is not None
    assert fitted.params_.gamma == pytest.approx(ref["params"]["v"], rel=1e-5)
    spend = fitted.expected_spend(cdnow.frequency, cdnow.monetary_value)
    np.testing.assert_allclose(spend, ref["expected_spend"], rtol=1e-5)


def test_clv_matches_lifetimes_definition(
    cdnow: CdnowSummary, lifetimes_reference: dict[str, Any]
) -> None:
    bg_ref = lifetimes_reference["bgnbd"]["params"]
    gg_ref = lifetimes_reference["gammagamma"]["params"]
    bg = BetaGeoModel()
    bg.params_ = BetaGeoParams(bg_ref["r"], bg_ref["alpha"], bg_ref["a"], bg_ref["b"])
    gg = GammaGammaModel()
    gg.params_ = GammaGammaParams(gg_ref["p"], gg_ref["q"], gg_ref["v"])
    clv = gg.clv(
        bg,
        cdnow.frequency,
        cdnow.recency,
        cdnow.T,
        cdnow.monetary_value,
        horizon_months=12,
        discount_rate=0.01,
        time_unit="W",
    )
    np.testing.assert_allclose(clv, lifetimes_reference["bgnbd"]["clv_12m"], rtol=1e-9)
    with_margin = gg.clv(
        bg, cdnow.frequency, cdnow.recency, cdnow.T, cdnow.monetary_value, margin=0.3
    )
    np.testing.assert_allclose(with_margin, 0.3 * clv, rtol=1e-12)


def test_clv_falls_with_a_higher_discount_rate(
    fitted: GammaGammaModel, cdnow: CdnowSummary
) -> None:
    bg = BetaGeoModel().fit(cdnow.frequency, cdnow.recency, cdnow.T)
    low = fitted.clv(bg, 3, 30.0, 38.0, 40.0, discount_rate=0.0)
    high = fitted.clv(bg, 3, 30.0, 38.0, 40.0, discount_rate=0.05)
    assert 0 < high[0] < low[0]


def test_expected_spend_moves_from_the_population_mean_towards_the_customer_mean(
    fitted: GammaGammaModel,
) -> None:
    assert fitted.params_ is not None
    p, q, g = fitted.params_.p, fitted.params_.q, fitted.params_.gamma
    population = p * g / (q - 1)
    spend = fitted.expected_spend([0, 1, 10, 1000], [0.0, 100.0, 100.0, 100.0])
    assert spend[0] == pytest.approx(population)
    assert population < spend[1] < spend[2] < spend[3] < 100.0
    assert spend[3] == pytest.approx(100.0, rel=1e-2)


def test_it_refuses_customers_without_repeat_purchases() -> None:
    with pytest.raises(ValueError, match="repeat buyers"):
        GammaGammaModel().fit([0, 2], [0.0, 10.0])


def test_it_recovers_known_parameters_from_simulated_spend() -> None:
    rng = np.random.default_rng(7)
    p, q, gamma = 6.0, 4.0, 15.0
    nu = rng.gamma(q, 1.0 / gamma, 20_000)
    x = rng.integers(1, 8, 20_000)
    mean_spend = rng.gamma(p * x, 1.0 / (nu * x))  # mean of x Gamma(p, nu) values
    model = GammaGammaModel().fit(x, mean_spend)
    assert model.params_ is not None
    # 20,000 customers pin p and q down to about 10 %, gamma to about 15 %
    assert model.params_.p == pytest.approx(p, rel=0.10)
    assert model.params_.q == pytest.approx(q, rel=0.10)
    assert model.params_.gamma == pytest.approx(gamma, rel=0.15)
    assert model.expected_spend(3, 50.0)[0] == pytest.approx(
        GammaGammaModel().fit(x, mean_spend).expected_spend(3, 50.0)[0]
    )


def test_clv_stays_finite_for_extreme_histories(
    fitted: GammaGammaModel, cdnow: CdnowSummary
) -> None:
    bg = BetaGeoModel().fit(cdnow.frequency, cdnow.recency, cdnow.T)
    x = np.array([0, 1, 300, 10_000, 0])
    t_x = np.array([0, 0.01, 500.0, 9999.0, 0])
    age = np.array([0.0, 1e5, 500.0, 1e4, 1e5])
    spend = np.array([0.0, 1e6, 25.0, 3.0, 0.0])
    clv = fitted.clv(bg, x, t_x, age, spend, horizon_months=120)
    assert np.all(np.isfinite(clv)) and np.all(clv >= 0)
