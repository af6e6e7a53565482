"""The Gamma-Gamma model of spend per transaction (Fader & Hardie 2013)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from scipy.special import digamma, gammaln

from aftersale.analytics.clv._fitting import (
    ArrayLike,
    FloatArray,
    as_float_array,
    dot,
    maximise,
    newton_polish,
    require_fitted,
    single_threaded_blas,
)
from aftersale.analytics.identifiers import total_by

TimeUnit = Literal["D", "W", "M"]

#: Model time units per month, as in ``lifetimes`` (``W`` is 4.345 weeks, ``D`` 30 days).
PERIODS_PER_MONTH: dict[str, float] = {"D": 30.0, "W": 4.345, "M": 1.0}


class PurchaseModel(Protocol):
    """Anything that forecasts purchases: :class:`BetaGeoModel` or :class:`ParetoNBDModel`."""

    def expected_purchases(
        self,
        t: ArrayLike,
        frequency: ArrayLike | None = ...,
        recency: ArrayLike | None = ...,
        T: ArrayLike | None = ...,
    ) -> FloatArray: ...

    def expected_purchases_path(
        self, horizons: Sequence[float], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Iterator[FloatArray]: ...


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters ``p, q, gamma`` (``v`` in ``lifetimes``)."""

    p: float
    q: float
    gamma: float


class GammaGammaModel:
    r"""Gamma-Gamma model of the average value of a customer's repeat transactions.

    Each transaction value is :math:`\Gamma(p, \nu)`; across customers
    :math:`\nu \sim \Gamma(q, \gamma)`. For a customer with ``x`` repeat transactions of
    average value :math:`\bar z` the log-likelihood (up to a constant) is

    .. math::

        \ell = \log\Gamma(px+q) - \log\Gamma(px) - \log\Gamma(q) + q\log\gamma
               + (px-1)\log\bar z + px\log x - (px+q)\log(\gamma + x\bar z)

    and the expected average spend is the credibility-weighted mean

    .. math:: E[Z \mid x, \bar z] = \frac{px}{px+q-1}\bar z
              + \left(1-\frac{px}{px+q-1}\right)\frac{p\gamma}{q-1}.

    The model assumes spend is independent of purchase frequency; fit it on customers with
    at least one repeat purchase.

    Parameters
    ----------
    penalizer_coef : float
        L2 penalty on ``(p, q, gamma)``, with ``gamma`` measured in units of the customers'
        geometric-mean spend (``lifetimes`` penalises ``gamma`` in currency units).

    Examples
    --------
    >>> from aftersale.analytics import GammaGammaModel, load_cdnow_summary
    >>> cdnow = load_cdnow_summary()
    >>> buyers = cdnow.frequency > 0
    >>> gg = GammaGammaModel().fit(cdnow.frequency[buyers], cdnow.monetary_value[buyers])
    >>> round(gg.params_.p, 2), round(gg.params_.q, 2), round(gg.params_.gamma, 1)
    (6.25, 3.74, 15.4)
    """

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        self.penalizer_coef = penalizer_coef
        self.params_: GammaGammaParams | None = None

    def fit(
        self, frequency: ArrayLike, monetary_value: ArrayLike, weights: ArrayLike | None = None
    ) -> GammaGammaModel:
        """Estimate ``p, q, gamma`` from repeat buyers (``frequency > 0``, ``monetary > 0``)."""
        x = as_float_array(frequency, "frequency")
        m = as_float_array(monetary_value, "monetary_value")
        if x.shape != m.shape:
            raise ValueError("frequency and monetary_value must have the same length")
        if np.any(x <= 0) or np.any(m <= 0):
            raise ValueError(
                "fit the Gamma-Gamma model on repeat buyers only: frequency and monetary_value "
                "must be positive"
            )
        if x.size < 2:
            raise ValueError(
                "the Gamma-Gamma model needs at least two repeat buyers to estimate how spend "
                f"varies between customers (got {x.size})"
            )
        w = np.ones_like(x) if weights is None else as_float_array(weights, "weights")
        if weights is None and x.size > 20_000:
            x, m, w = _distinct_rows(x, m)
        w = w / w.sum()
        unit = float(np.exp(dot(w, np.log(m))))  # fit in units of the typical spend
        m = m / unit
        log_m = np.log(m)
        # everything but log(gamma + x m) depends on x alone or is a constant sum
        ux, x_code = np.unique(x, return_inverse=True)
        wx = total_by(x_code.ravel(), w)
        sum_wx_log_m = dot(w * x, log_m)
        sum_w_log_m = dot(w, log_m)
        wxm = w * x
        xm = x * m
        penalizer = self.penalizer_coef

        def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
            p, q, g = np.exp(log_params)
            pux = p * ux
            log_gxm = np.log(g + xm)
            inv_gxm = 1.0 / (g + xm)
            s_x_log = dot(wxm, log_gxm)
            s_log = dot(w, log_gxm)
            s_x_inv = dot(wxm, inv_gxm)
            s_inv = dot(w, inv_gxm)
            ll = (
                dot(wx, gammaln(pux + q) - gammaln(pux) + pux * np.log(ux))
                - gammaln(q)
                + q * np.log(g)
                + p * sum_wx_log_m
                - sum_w_log_m
                - p * s_x_log
                - q * s_log
            )
            d_p = (
                dot(wx, ux * (digamma(pux + q) - digamma(pux) + np.log(ux)))
                + sum_wx_log_m
                - s_x_log
            )
            d_q = dot(wx, digamma(pux + q)) - digamma(q) + np.log(g) - s_log
            d_g = q / g - p * s_x_inv - q * s_inv
            params = np.array([p, q, g])
            grad = -np.array([d_p * p, d_q * q, d_g * g]) + 2.0 * penalizer * params * params
            return -ll + penalizer * dot(params, params), grad

        start = np.log(np.array([1.0, 1.0, 1.0]))
        with single_threaded_blas():
            log_params: FloatArray | None = None
            every = x.size // 10_000
            if every >= 4:
                # many customers: maximise on a systematic sample, then Newton steps on all
                sample = GammaGammaModel(self.penalizer_coef)
                sample.fit(x[::every], m[::every] * unit, w[::every])
                assert sample.params_ is not None
                start = np.log([sample.params_.p, sample.params_.q, sample.params_.gamma / unit])
                log_params = newton_polish(objective, start, objective)
            if log_params is None:
                log_params = maximise(objective, start, tol=1e-14, gtol=1e-10)
            p, q, g = np.exp(log_params)
        self.params_ = GammaGammaParams(float(p), float(q), float(g * unit))
        return self

    def _params(self) -> GammaGammaParams:
        require_fitted(self.params_, "GammaGammaModel")
        assert self.params_ is not None
        return self.params_

    def expected_spend(self, frequency: ArrayLike, monetary_value: ArrayLike) -> FloatArray:
        """Expected value of the customer's future transactions (see the class docstring).

        For ``frequency == 0`` this is the population mean ``p * gamma / (q - 1)``.
        """
        par = self._params()
        x = as_float_array(frequency, "frequency")
        m = as_float_array(monetary_value, "monetary_value")
        if np.any(x < 0) or np.any(m < 0):
            raise ValueError("frequency and monetary_value must not be negative")
        weight = par.p * x / (par.p * x + par.q - 1)
        population_mean = par.p * par.gamma / (par.q - 1)
        return np.asarray((1 - weight) * population_mean + weight * m, dtype=np.float64)

    def clv(
        self,
        purchase_model: PurchaseModel,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        monetary_value: ArrayLike,
        *,
        horizon_months: int = 12,
        discount_rate: float = 0.01,
        margin: ArrayLike = 1.0,
        time_unit: TimeUnit = "W",
    ) -> FloatArray:
        r"""Discounted customer lifetime value over the next ``horizon_months``.

        Same definition as ``lifetimes``' ``customer_lifetime_value``, times a margin:

        .. math:: \mathrm{CLV} = \text{margin} \cdot E[Z]\sum_{k=1}^{H}
                  \frac{E[Y(k\,f)] - E[Y((k-1)f)]}{(1+d)^k}

        with ``f`` model time units per month (4.345 for weeks, 30 for days), ``d`` the monthly
        discount rate and ``H`` the horizon in months.

        Parameters
        ----------
        purchase_model : BetaGeoModel or ParetoNBDModel
            A fitted purchase model whose time unit is ``time_unit``.
        horizon_months : int
            Number of months to sum over.
        discount_rate : float
            Monthly discount rate (0.01 = 1 % a month).
        margin : float or array_like
            Share of spend kept as profit, one value or one per customer (1.0 = revenue, as in
            ``lifetimes``).
        time_unit : {"D", "W", "M"}
            Time unit of ``recency`` and ``T``.
        """
        factor = PERIODS_PER_MONTH[time_unit]
        spend = self.expected_spend(frequency, monetary_value)
        total = np.zeros_like(spend)
        path = purchase_model.expected_purchases_path(
            [k * factor for k in range(horizon_months + 1)], frequency, recency, T
        )
        previous = next(path)
        for k, current in enumerate(path, start=1):
            total += spend * (current - previous) / (1.0 + discount_rate) ** k
            previous = current
        return np.asarray(np.asarray(margin, dtype=np.float64) * total, dtype=np.float64)


def _distinct_rows(x: FloatArray, m: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Identical ``(x, m)`` rows collapsed into one with its count as the weight.

    Spend in cents and small purchase counts repeat a lot (a fifth as many distinct rows as
    customers in a simulated shop of a million), and the likelihood is a weighted sum.
    """
    m_values, m_code = np.unique(m, return_inverse=True)
    key = x.astype(np.int64) * m_values.size + m_code.ravel()
    unique_key, counts = np.unique(key, return_counts=True)
    return (
        (unique_key // m_values.size).astype(np.float64),
        m_values[unique_key % m_values.size],
        counts.astype(np.float64),
    )
