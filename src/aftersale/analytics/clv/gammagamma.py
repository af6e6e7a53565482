"""The Gamma-Gamma model of spend per transaction (Fader & Hardie 2013)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from scipy.special import digamma, gammaln

from aftersale.analytics.clv._fitting import (
    ArrayLike,
    FloatArray,
    as_float_array,
    maximise,
    require_fitted,
)

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
        L2 penalty on ``(p, q, gamma)``, as in ``lifetimes``.

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
        w = np.ones_like(x) if weights is None else as_float_array(weights, "weights")
        w = w / w.sum()
        log_m, log_x = np.log(m), np.log(x)
        penalizer = self.penalizer_coef

        def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
            p, q, g = np.exp(log_params)
            px = p * x
            log_gxm = np.log(g + x * m)
            ll = (
                gammaln(px + q)
                - gammaln(px)
                - gammaln(q)
                + q * np.log(g)
                + (px - 1) * log_m
                + px * log_x
                - (px + q) * log_gxm
            )
            d_p = x * (digamma(px + q) - digamma(px) + log_m + log_x - log_gxm)
            d_q = digamma(px + q) - digamma(q) + np.log(g) - log_gxm
            d_g = q / g - (px + q) / (g + x * m)
            params = np.array([p, q, g])
            grad = -np.array([w @ d_p * p, w @ d_q * q, w @ d_g * g])
            grad += 2.0 * penalizer * params * params
            return -float(w @ ll) + penalizer * float(params @ params), grad

        start = np.log(np.array([1.0, 1.0, float(np.average(m, weights=w))]))
        p, q, g = np.exp(maximise(objective, start))
        self.params_ = GammaGammaParams(float(p), float(q), float(g))
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
        margin: float = 1.0,
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
        margin : float
            Share of spend kept as profit (1.0 = revenue, as in ``lifetimes``).
        time_unit : {"D", "W", "M"}
            Time unit of ``recency`` and ``T``.
        """
        factor = PERIODS_PER_MONTH[time_unit]
        spend = self.expected_spend(frequency, monetary_value)
        total = np.zeros_like(spend)
        previous = purchase_model.expected_purchases(0.0, frequency, recency, T)
        for k in range(1, horizon_months + 1):
            current = purchase_model.expected_purchases(k * factor, frequency, recency, T)
            total += spend * (current - previous) / (1.0 + discount_rate) ** k
            previous = current
        return np.asarray(margin * total, dtype=np.float64)
