"""The Pareto/NBD model of repeat purchasing (Schmittlein, Morrison & Colombo 1987)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import expit, gammaln, hyp2f1, roots_legendre

from aftersale.analytics.clv._fitting import (
    ArrayLike,
    CodedHistories,
    ConvergenceError,
    FloatArray,
    check_fittable,
    check_histories,
    check_horizon,
    code_histories,
    dot,
    maximise,
    require_fitted,
    single_threaded_blas,
)


@dataclass(frozen=True)
class ParetoNBDParams:
    """Fitted Pareto/NBD parameters: rate ~ Gamma(r, alpha), dropout rate ~ Gamma(s, beta)."""

    r: float
    alpha: float
    s: float
    beta: float


class ParetoNBDModel:
    r"""Pareto/NBD buy-till-you-die model.

    While active, a customer buys at a Poisson rate :math:`\lambda \sim \Gamma(r, \alpha)`;
    their unobserved lifetime is exponential with rate :math:`\mu \sim \Gamma(s, \beta)`.
    The likelihood (Fader & Hardie 2005, "A note on deriving the Pareto/NBD model", eq. 22) is

    .. math::

        L = \frac{\Gamma(r+x)\,\alpha^r \beta^s}{\Gamma(r)}
            \left[\frac{1}{(\alpha+T)^{r+x}(\beta+T)^s} + \frac{s}{r+s+x} A_0\right]

    with, for :math:`\alpha \ge \beta` (otherwise swap the roles and use ``r + x``),

    .. math::

        A_0 = \frac{{}_2F_1(r+s+x, s+1; r+s+x+1; \frac{\alpha-\beta}{\alpha+t_x})}
                   {(\alpha+t_x)^{r+s+x}}
            - \frac{{}_2F_1(r+s+x, s+1; r+s+x+1; \frac{\alpha-\beta}{\alpha+T})}
                   {(\alpha+T)^{r+s+x}}.

    Each :math:`{}_2F_1` is evaluated through Euler's transformation
    :math:`{}_2F_1(c-1, k; c; z) = (1-z)^{1-k}\,{}_2F_1(1, c-k; c; z)`, whose series has
    positive terms bounded by :math:`z^n`, so it neither overflows for customers with
    hundreds of purchases nor loses sign; the difference is taken in log space.

    Parameters
    ----------
    penalizer_coef : float
        L2 penalty on the parameters (after scaling time so that max T = 1).

    Examples
    --------
    >>> from aftersale.analytics import ParetoNBDModel, load_cdnow_summary
    >>> cdnow = load_cdnow_summary()
    >>> model = ParetoNBDModel().fit(cdnow.frequency, cdnow.recency, cdnow.T)
    >>> round(model.params_.r, 3), round(model.params_.s, 3)
    (0.553, 0.606)
    """

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        self.penalizer_coef = penalizer_coef
        self.params_: ParetoNBDParams | None = None
        self.log_likelihood_: float | None = None

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        weights: ArrayLike | None = None,
    ) -> ParetoNBDModel:
        """Estimate ``r, alpha, s, beta`` by maximum likelihood (see :class:`BetaGeoModel`)."""
        x, t_x, age = check_histories(frequency, recency, T)
        check_fittable(x, age)
        w = None if weights is None else np.asarray(weights, dtype=np.float64)
        data = code_histories(x, t_x, age, w)
        max_t = float(np.max(age))
        scale = 1.0 / max_t if max_t > 0 else 1.0
        objective = _NegativeLogLikelihood(data, scale, self.penalizer_coef)

        def with_gradient(log_params: FloatArray) -> tuple[float, FloatArray]:
            # central differences: the likelihood is flat along (s, beta), and one-sided
            # differences stopped the search about 1e-4 short of the optimum there
            value = objective(log_params)[0]
            grad = np.empty(4)
            for i in range(4):
                bump = np.zeros(4)
                bump[i] = 1e-6
                grad[i] = (objective(log_params + bump)[0] - objective(log_params - bump)[0]) / 2e-6
            return value, grad

        with single_threaded_blas():
            try:
                best = maximise(with_gradient, np.log(np.array([0.5, 1.0, 0.5, 1.0])))
            except ConvergenceError:
                best = maximise(with_gradient, np.log(np.array([1.0, 0.2, 1.0, 0.2])))
        r, alpha, s, beta = np.exp(best)
        self.params_ = ParetoNBDParams(
            float(r), float(alpha / scale), float(s), float(beta / scale)
        )
        rows = data.decoded()
        self.log_likelihood_ = dot(
            rows.weights, _log_likelihood(self.params_, rows.frequency, rows.recency, rows.T)
        )
        return self

    def _params(self) -> ParetoNBDParams:
        require_fitted(self.params_, "ParetoNBDModel")
        assert self.params_ is not None
        return self.params_

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
        r"""Probability that the customer is still active at ``T``.

        .. math:: P(\text{alive}) = \left[1 + \frac{s}{r+s+x}(\alpha+T)^{r+x}(\beta+T)^s A_0
                  \right]^{-1}
        """
        p = self._params()
        x, t_x, age = check_histories(frequency, recency, T)
        return _p_alive(p, x, t_x, age)

    def expected_purchases(
        self,
        t: ArrayLike,
        frequency: ArrayLike | None = None,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,
    ) -> FloatArray:
        r"""Expected number of purchases in the next ``t`` time units.

        .. math:: E[Y(t) \mid x, t_x, T] = \frac{(r+x)(\beta+T)}{(\alpha+T)(s-1)}
                  \left[1 - \left(\frac{\beta+T}{\beta+T+t}\right)^{s-1}\right] P(\text{alive})

        (SMC 1987; the bracket divided by ``s - 1`` tends to ``log((beta+T+t)/(beta+T))`` as
        ``s -> 1`` and is computed with ``expm1`` to stay accurate there). Without a history:
        a new customer's :math:`E[X(t)] = \frac{r\beta}{\alpha(s-1)}[1-(\beta/(\beta+t))^{s-1}]`.
        """
        p = self._params()
        horizon = check_horizon(t)
        if frequency is None or recency is None or T is None:
            return np.asarray(
                p.r / p.alpha * p.beta * _growth(p.s, p.beta, horizon), dtype=np.float64
            )
        x, t_x, age = check_histories(frequency, recency, T)
        rate = (p.r + x) / (p.alpha + age) * (p.beta + age)
        return np.asarray(
            rate * _growth(p.s, p.beta + age, horizon) * _p_alive(p, x, t_x, age),
            dtype=np.float64,
        )

    def expected_purchases_path(
        self, horizons: Sequence[float], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Iterator[FloatArray]:
        """:meth:`expected_purchases` for each horizon in turn, computing P(alive) once."""
        p = self._params()
        x, t_x, age = check_histories(frequency, recency, T)
        for horizon in horizons:
            check_horizon(horizon)
        scale = (p.r + x) / (p.alpha + age) * (p.beta + age) * _p_alive(p, x, t_x, age)
        for horizon in horizons:
            yield np.asarray(scale * _growth(p.s, p.beta + age, np.float64(horizon)))

    def p_purchases(
        self,
        n: int,
        t: float,
        frequency: ArrayLike | None = None,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,
    ) -> FloatArray:
        r"""Probability of exactly ``n`` purchases in the next ``t`` time units.

        A new customer with rate :math:`\lambda` and dropout rate :math:`\mu` makes
        :math:`\mathrm{Poisson}(\lambda \min(\tau, t))` purchases, so

        .. math:: P(X(t)=n) = \left(\tfrac{\beta}{\beta+t}\right)^s \mathrm{NB}(n; r, \alpha, t)
                  + \int_0^t \tfrac{s}{\beta}\left(\tfrac{\beta}{\beta+y}\right)^{s+1}
                  \mathrm{NB}(n; r, \alpha, y)\,dy

        where NB is the negative binomial pmf; the integral is evaluated by 64-point
        Gauss-Legendre quadrature. With a history, an active customer's posteriors are
        :math:`\Gamma(r+x, \alpha+T)` and :math:`\Gamma(s, \beta+T)`, so the answer is
        ``P(alive) * P_new(n; r+x, alpha+T, s, beta+T) + (1 - P(alive)) * [n == 0]``.
        """
        p = self._params()
        if n < 0:
            raise ValueError("n must be a non-negative whole number")
        check_horizon(t)
        if frequency is None or recency is None or T is None:
            return _pmf_new(n, t, np.float64(p.r), np.float64(p.alpha), p.s, np.float64(p.beta))
        x, t_x, age = check_histories(frequency, recency, T)
        alive = _p_alive(p, x, t_x, age)
        pmf = _pmf_new(n, t, p.r + x, p.alpha + age, p.s, p.beta + age)
        return np.asarray(alive * pmf + (1 - alive) * (n == 0), dtype=np.float64)

    def log_likelihood(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
        """Per-customer log-likelihood under the fitted parameters."""
        x, t_x, age = check_histories(frequency, recency, T)
        return _log_likelihood(self._params(), x, t_x, age)


def _growth(s: float, beta_t: ArrayLike, t: ArrayLike) -> FloatArray:
    """``(1 - (beta_t / (beta_t + t)) ** (s - 1)) / (s - 1)``, stable near ``s = 1``."""
    start = np.asarray(beta_t, dtype=np.float64)
    log_ratio = np.log(start) - np.log(start + np.asarray(t, dtype=np.float64))
    if abs(s - 1.0) < 1e-10:
        return np.asarray(-log_ratio, dtype=np.float64)
    return np.asarray(-np.expm1((s - 1.0) * log_ratio) / (s - 1.0), dtype=np.float64)


def _log_term(p: ParetoNBDParams, x: FloatArray, y: FloatArray) -> FloatArray:
    """``log[2F1(r+s+x, k; r+s+x+1; z) / (m+y)^(r+s+x)]``, one of the two terms of ``A_0``.

    ``m = max(alpha, beta)``, ``z = |alpha - beta| / (m + y)`` and ``k = s + 1`` if
    ``alpha >= beta``, else ``r + x``; the 2F1 is evaluated via Euler's transformation.
    """
    rsx = p.r + p.s + x
    k: FloatArray | float
    if p.alpha >= p.beta:
        big, gap, k = p.alpha, p.alpha - p.beta, p.s + 1.0
    else:
        big, gap, k = p.beta, p.beta - p.alpha, p.r + x
    log_big_y = np.log(big + y)
    log_one_minus_z = np.log(big - gap + y) - log_big_y
    z = gap / (big + y)
    return np.asarray(
        (1.0 - k) * log_one_minus_z
        + np.log(hyp2f1(1.0, rsx + 1.0 - k, rsx + 1.0, z))
        - rsx * log_big_y,
        dtype=np.float64,
    )


def _log_difference(l1: FloatArray, l2: FloatArray, same_time: npt.NDArray[np.bool_]) -> FloatArray:
    """``log(exp(l1) - exp(l2))`` for ``l1 >= l2``; ``-inf`` where the times coincide."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = l1 + np.log1p(-np.exp(np.minimum(l2 - l1, 0.0)))
    return np.asarray(np.where(same_time, -np.inf, out), dtype=np.float64)


def _log_a0(p: ParetoNBDParams, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
    """``log A_0``; ``-inf`` where ``t_x == T`` (then ``A_0 = 0``)."""
    return _log_difference(_log_term(p, x, t_x), _log_term(p, x, age), t_x >= age)


def _log_likelihood(
    p: ParetoNBDParams, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    rsx = p.r + p.s + x
    head = gammaln(p.r + x) - gammaln(p.r) + p.r * np.log(p.alpha) + p.s * np.log(p.beta)
    alive_term = -(p.r + x) * np.log(p.alpha + age) - p.s * np.log(p.beta + age)
    dead_term = np.log(p.s) - np.log(rsx) + _log_a0(p, x, t_x, age)
    return np.asarray(head + np.logaddexp(alive_term, dead_term), dtype=np.float64)


def _p_alive(p: ParetoNBDParams, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
    log_odds_dead = (
        np.log(p.s)
        - np.log(p.r + p.s + x)
        + (p.r + x) * np.log(p.alpha + age)
        + p.s * np.log(p.beta + age)
        + _log_a0(p, x, t_x, age)
    )
    return np.asarray(expit(-log_odds_dead), dtype=np.float64)


_NODES, _WEIGHTS = roots_legendre(64)


def _log_nb(n: int, r: FloatArray, alpha: FloatArray, y: FloatArray | np.float64) -> FloatArray:
    """log of the NBD pmf: P(n purchases in (0, y]) with rate ~ Gamma(r, alpha)."""
    return np.asarray(
        gammaln(r + n)
        - gammaln(r)
        - gammaln(n + 1.0)
        + r * (np.log(alpha) - np.log(alpha + y))
        + n * (np.log(y) - np.log(alpha + y)),
        dtype=np.float64,
    )


def _pmf_new(
    n: int, t: float, r: ArrayLike, alpha: ArrayLike, s: float, beta: ArrayLike
) -> FloatArray:
    r_ = np.atleast_1d(np.asarray(r, dtype=np.float64))
    al = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
    be = np.atleast_1d(np.asarray(beta, dtype=np.float64))
    r_, al, be = np.broadcast_arrays(r_, al, be)
    if t <= 0:
        return np.full(r_.shape, 1.0 if n == 0 else 0.0)
    with np.errstate(divide="ignore"):
        alive_part = np.exp(s * (np.log(be) - np.log(be + t)) + _log_nb(n, r_, al, np.float64(t)))
        y = (0.5 * t * (_NODES + 1.0))[:, None]
        log_density = (
            np.log(s)
            - np.log(be)
            + (s + 1.0) * (np.log(be) - np.log(be + y))
            + _log_nb(n, r_, al, y)
        )
    integral = 0.5 * t * (_WEIGHTS @ np.exp(log_density))
    return np.asarray(alive_part + integral, dtype=np.float64)


class _NegativeLogLikelihood:
    """Mean negative log-likelihood over coded histories.

    The hypergeometric terms depend on ``x`` and one time (``t_x`` or ``T``), so they are
    evaluated once per distinct ``(x, time)`` pair and gathered; customers without repeat
    purchases are a weight per distinct ``T``.
    """

    def __init__(self, data: CodedHistories, scale: float, penalizer: float) -> None:
        self.penalizer = penalizer
        times = data.times * scale
        has_zero = np.flatnonzero(data.zero_weight > 0)
        zero_code = int(np.searchsorted(data.times, 0.0))
        x = np.concatenate([np.zeros(has_zero.size), data.frequency])
        r_code = np.concatenate([np.full(has_zero.size, zero_code), data.recency_code])
        t_code = np.concatenate([has_zero, data.age_code])
        w = np.concatenate([data.zero_weight[has_zero], data.weights])
        self.w = w / w.sum()
        self.ux, x_code = np.unique(x, return_inverse=True)
        self.x_code = x_code.ravel()
        self.x = x
        width = times.size
        keys = np.concatenate([self.x_code * width + r_code, self.x_code * width + t_code])
        pairs, inverse = np.unique(keys, return_inverse=True)
        inverse = inverse.ravel()
        self.inv_r, self.inv_t = inverse[: x.size], inverse[x.size :]
        self.pair_x = self.ux[pairs // width]
        self.pair_time = times[pairs % width]
        self.age = times[t_code]
        self.same_time = r_code == t_code

    def __call__(self, log_params: FloatArray) -> tuple[float, FloatArray]:
        params = np.exp(log_params)
        p = ParetoNBDParams(*(float(v) for v in params))
        with np.errstate(all="ignore"):
            terms = _log_term(p, self.pair_x, self.pair_time)
            log_a0 = _log_difference(terms[self.inv_r], terms[self.inv_t], self.same_time)
            gamma_x = gammaln(p.r + self.ux)[self.x_code]
            log_rsx = np.log(p.r + p.s + self.ux)[self.x_code]
            alive = -(p.r + self.x) * np.log(p.alpha + self.age) - p.s * np.log(p.beta + self.age)
            rows = gamma_x + np.logaddexp(alive, np.log(p.s) - log_rsx + log_a0)
            constant = -gammaln(p.r) + p.r * np.log(p.alpha) + p.s * np.log(p.beta)
            value = -(dot(self.w, rows) + constant) + self.penalizer * dot(params, params)
        return (value if np.isfinite(value) else 1e300), np.zeros(4)
