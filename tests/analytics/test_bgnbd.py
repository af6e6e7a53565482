"""BG/NBD: published CDNOW estimates, lifetimes' forecasts, and numerical edge cases."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from aftersale.analytics.clv import BetaGeoModel, BetaGeoParams
from aftersale.analytics.datasets import CdnowSummary

PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # Fader, Hardie & Lee 2005


def significant(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant figures."""
    return float(f"{value:.{digits}g}")


@pytest.fixture(scope="module")
def fitted(cdnow: CdnowSummary) -> BetaGeoModel:
    return BetaGeoModel().fit(cdnow.frequency, cdnow.recency, cdnow.T)


def with_params(params: dict[str, float]) -> BetaGeoModel:
    model = BetaGeoModel()
    model.params_ = BetaGeoParams(params["r"], params["alpha"], params["a"], params["b"])
    return model


def test_it_reproduces_the_published_cdnow_estimates(fitted: BetaGeoModel) -> None:
    assert fitted.params_ is not None
    for name, published in PUBLISHED.items():
        value = getattr(fitted.params_, name)
        assert significant(value) == significant(published), name
        assert value == pytest.approx(published, abs=5e-4), name  # to the published digits
    assert fitted.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)


def test_it_matches_lifetimes_parameters(
    fitted: BetaGeoModel, lifetimes_reference: dict[str, Any]
) -> None:
    assert fitted.params_ is not None
    for name, value in lifetimes_reference["bgnbd"]["params"].items():
        assert getattr(fitted.params_, name) == pytest.approx(value, rel=1e-4)


def test_it_gives_lifetimes_holdout_forecast_and_p_alive_exactly_at_the_same_parameters(
    cdnow: CdnowSummary, lifetimes_reference: dict[str, Any]
) -> None:
    ref = lifetimes_reference["bgnbd"]
    model = with_params(ref["params"])
    forecast = model.expected_purchases(
        cdnow.duration_holdout, cdnow.frequency, cdnow.recency, cdnow.T
    )
    np.testing.assert_allclose(forecast, ref["expected_purchases_holdout"], rtol=1e-9)
    alive = model.p_alive(cdnow.frequency, cdnow.recency, cdnow.T)
    np.testing.assert_allclose(alive, ref["p_alive"], rtol=1e-9)
    assert model.expected_purchases(39.0) == pytest.approx(
        ref["expected_purchases_new_39"], rel=1e-9
    )
    pmf = [float(model.p_purchases(n, 39.0)) for n in range(6)]
    np.testing.assert_allclose(pmf, ref["p_purchases_new_39"], rtol=1e-9)


def test_its_own_fit_gives_the_lifetimes_holdout_forecast(
    fitted: BetaGeoModel, cdnow: CdnowSummary, lifetimes_reference: dict[str, Any]
) -> None:
    forecast = fitted.expected_purchases(
        cdnow.duration_holdout, cdnow.frequency, cdnow.recency, cdnow.T
    )
    ref = np.asarray(lifetimes_reference["bgnbd"]["expected_purchases_holdout"])
    np.testing.assert_allclose(forecast, ref, rtol=2e-4)
    assert forecast.sum() == pytest.approx(ref.sum(), rel=1e-5)
    # and the aggregate forecast is close to what the customers actually did in weeks 40-78
    assert forecast.sum() == pytest.approx(cdnow.frequency_holdout.sum(), rel=0.15)


def test_p_alive_is_a_probability_and_one_without_repeat_purchases(fitted: BetaGeoModel) -> None:
    x = np.array([0, 1, 5, 50, 500, 5000], dtype=float)
    for t_x, age in [(0.0, 10.0), (5.0, 10.0), (1.0, 1000.0), (999.0, 1000.0)]:
        alive = fitted.p_alive(x, np.where(x > 0, t_x, 0.0), np.full(x.size, age))
        assert np.all((alive >= 0) & (alive <= 1))
    assert fitted.p_alive(0, 0, 1e6)[0] == 1.0


def test_p_alive_falls_with_time_since_the_last_purchase(fitted: BetaGeoModel) -> None:
    ages = np.linspace(10, 200, 20)
    alive = fitted.p_alive(np.full(20, 3.0), np.full(20, 10.0), ages)
    assert np.all(np.diff(alive) < 0)


def test_expected_purchases_grow_with_the_horizon_and_frequency(fitted: BetaGeoModel) -> None:
    horizons = np.array([1.0, 5.0, 20.0, 100.0])
    values = fitted.expected_purchases(horizons, 3, 30.0, 38.0)
    assert np.all(np.diff(values) > 0)
    by_frequency = fitted.expected_purchases(10.0, np.arange(1, 30.0), np.full(29, 38.0), 38.0)
    assert np.all(np.diff(by_frequency) > 0)


def test_it_has_no_overflow_or_nan_at_the_extremes(fitted: BetaGeoModel) -> None:
    x = np.array([0, 0, 1, 300, 300, 10_000], dtype=float)
    t_x = np.array([0, 0, 0.01, 500.0, 5000.0, 9999.0])
    age = np.array([0.0, 1e5, 1e5, 500.0, 1e5, 1e4])
    for values in (
        fitted.p_alive(x, t_x, age),
        fitted.expected_purchases(52.0, x, t_x, age),
        fitted.p_purchases(3, 52.0, x, t_x, age),
        fitted.log_likelihood(x, t_x, age),
    ):
        assert np.all(np.isfinite(values))
    assert fitted.expected_purchases(52.0, 300, 500.0, 500.0)[0] > 20


def test_the_purchase_distribution_sums_to_one(fitted: BetaGeoModel) -> None:
    total_new = sum(float(fitted.p_purchases(n, 26.0)) for n in range(400))
    assert total_new == pytest.approx(1.0, abs=1e-6)
    total = sum(fitted.p_purchases(n, 26.0, [2, 0], [30.0, 0.0], [38.0, 38.0]) for n in range(400))
    np.testing.assert_allclose(total, 1.0, atol=1e-6)


def test_it_fits_with_weights_like_repeated_rows(cdnow: CdnowSummary) -> None:
    x, t_x, age = cdnow.frequency[:300], cdnow.recency[:300], cdnow.T[:300]
    doubled = BetaGeoModel().fit(np.tile(x, 2), np.tile(t_x, 2), np.tile(age, 2))
    weighted = BetaGeoModel().fit(x, t_x, age, weights=np.full(300, 2.0))
    assert doubled.params_ is not None and weighted.params_ is not None
    assert weighted.params_.r == pytest.approx(doubled.params_.r, rel=1e-5)
    assert weighted.params_.b == pytest.approx(doubled.params_.b, rel=1e-5)


def test_it_rejects_impossible_histories() -> None:
    with pytest.raises(ValueError, match="recency"):
        BetaGeoModel().fit([1, 2], [5.0, 20.0], [10.0, 10.0])
    with pytest.raises(ValueError, match="recency must be 0"):
        BetaGeoModel().fit([0, 2], [5.0, 2.0], [10.0, 10.0])
    with pytest.raises(RuntimeError, match="not fitted"):
        BetaGeoModel().p_alive(1, 1, 2)


def test_the_penalizer_shrinks_the_parameters(cdnow: CdnowSummary) -> None:
    plain = BetaGeoModel().fit(cdnow.frequency, cdnow.recency, cdnow.T)
    shrunk = BetaGeoModel(penalizer_coef=0.1).fit(cdnow.frequency, cdnow.recency, cdnow.T)
    assert plain.params_ is not None and shrunk.params_ is not None
    assert shrunk.params_.b < plain.params_.b
