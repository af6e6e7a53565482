"""score_customers: the one-call pipeline agrees with its parts and degrades gracefully."""

from __future__ import annotations

import numpy as np
import pytest

from aftersale.analytics import (
    BetaGeoModel,
    GammaGammaModel,
    OrderLines,
    Returns,
    load_cdnow_sample,
    score_customers,
    simulate_bgnbd,
    summarize_purchases,
)
from aftersale.analytics.clv._fitting import check_histories, code_histories, maximise
from aftersale.analytics.clv.bgnbd import _NegativeLogLikelihood


@pytest.fixture(scope="module")
def cdnow_orders() -> OrderLines:
    sample = load_cdnow_sample()
    lines = np.arange(sample.amount.size)
    return OrderLines.from_arrays(lines // 1, sample.customer_id, sample.ordered_at, sample.amount)


def test_it_scores_cdnow_like_the_models_do_by_hand(cdnow_orders: OrderLines) -> None:
    scores = score_customers(cdnow_orders, observation_end="1997-09-30")
    summary = summarize_purchases(
        cdnow_orders.customer_id, cdnow_orders.ordered_at, cdnow_orders.amount,
        observation_end="1997-09-30",
    )  # fmt: skip
    np.testing.assert_array_equal(scores.summary.frequency, summary.frequency)
    np.testing.assert_allclose(scores.summary.T, summary.T)
    np.testing.assert_allclose(scores.summary.monetary_value, summary.monetary_value)
    bg = BetaGeoModel().fit(summary.frequency, summary.recency, summary.T)
    np.testing.assert_allclose(
        scores.p_alive, bg.p_alive(summary.frequency, summary.recency, summary.T)
    )
    buyers = summary.frequency > 0
    gg = GammaGammaModel().fit(summary.frequency[buyers], summary.monetary_value[buyers])
    clv = gg.clv(bg, summary.frequency, summary.recency, summary.T, summary.monetary_value)
    np.testing.assert_allclose(scores.clv_gross, clv, rtol=1e-6)
    # no returns and no cost data: the net margin ratio is 1 and net CLV equals gross CLV
    np.testing.assert_allclose(scores.clv, scores.clv_gross, rtol=1e-9)
    assert scores.notes == []


def test_returns_lower_the_net_clv_of_the_customers_who_return(cdnow_orders: OrderLines) -> None:
    returned = np.flatnonzero(cdnow_orders.customer_id == 4)  # a customer with several orders
    back = Returns.from_arrays(
        cdnow_orders.order_id[returned],
        cdnow_orders.amount[returned],
        shipping_cost=np.full(returned.size, 5.0),
    )
    scores = score_customers(cdnow_orders, back, default_margin_rate=0.3)
    who = np.flatnonzero(scores.customer_id == 4)[0]
    assert scores.value.net_revenue[who] == 0.0
    assert scores.value.net_margin[who] == -5.0 * returned.size
    ratio = scores.clv / scores.clv_gross
    others = scores.customer_id != 4
    # everyone else keeps about the 30 % margin; the returner keeps much less (shrunk towards
    # the shop ratio, because 4 orders are little evidence)
    assert np.all(ratio[others] > 0.29)
    assert ratio[who] < 0.7 * ratio[others].min()


def test_a_tiny_shop_gets_notes_instead_of_a_crash() -> None:
    lines = OrderLines.from_arrays(["o1", "o2"], ["a", "b"], ["2024-01-01", "2024-01-05"], [10, 20])
    scores = score_customers(lines)
    assert np.all(np.isnan(scores.p_alive))
    assert any("could not be fitted" in note for note in scores.notes)
    assert scores.value.net_revenue.tolist() == [10.0, 20.0]


def test_the_fast_bgnbd_path_finds_the_same_optimum_as_plain_lbfgs() -> None:
    rng = np.random.default_rng(5)
    age = rng.integers(1, 600, 300_000) / 7.0
    sim = simulate_bgnbd(300_000, age, 0.3, 5.0, 0.8, 2.5, seed=rng)
    fast = BetaGeoModel().fit(sim.frequency, sim.recency, sim.T)  # sample + Newton steps
    data = code_histories(*check_histories(sim.frequency, sim.recency, sim.T), None)
    assert data.frequency.size > 4 * 30_000  # the fast path is taken
    scale = 1.0 / float(sim.T.max())
    plain = np.exp(maximise(_NegativeLogLikelihood(data, scale, 0.0), np.log([0.5, 0.5, 1, 1])))
    assert fast.params_ is not None
    got = [fast.params_.r, fast.params_.alpha * scale, fast.params_.a, fast.params_.b]
    np.testing.assert_allclose(got, plain, rtol=1e-5)


def test_the_fast_gamma_gamma_path_finds_the_same_optimum() -> None:
    rng = np.random.default_rng(8)
    n = 220_000
    nu = rng.gamma(4.0, 1.0 / 15.0, n)
    x = rng.integers(1, 6, n).astype(float)
    spend = rng.gamma(6.0 * x, 1.0 / (nu * x))
    fast = GammaGammaModel().fit(x, spend)  # sample + Newton steps
    plain = GammaGammaModel().fit(np.tile(x[:40_000], 1), spend[:40_000])  # direct L-BFGS-B
    assert fast.params_ is not None and plain.params_ is not None
    assert fast.params_.p == pytest.approx(6.0, rel=0.03)
    assert fast.params_.q == pytest.approx(4.0, rel=0.05)
    assert fast.params_.p == pytest.approx(plain.params_.p, rel=0.1)
