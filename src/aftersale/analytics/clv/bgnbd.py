"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import betainc, betaln, digamma, expit, gammaln, hyp2f1

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
    newton_polish,
    pair_codes,
    require_fitted,
    single_threaded_blas,
)
from aftersale.analytics.identifiers import total_by


@dataclass(frozen=True)
class BetaGeoParams:
    """Fitted BG/NBD parameters: purchase rate ~ Gamma(r, alpha), dropout p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float


class BetaGeoModel:
    r"""BG/NBD ("beta-geometric / negative binomial") buy-till-you-die model.

    While active, a customer buys at a Poisson rate :math:`\lambda \sim \Gamma(r, \alpha)`;
    after each repeat purchase they drop out with probability :math:`p \sim B(a, b)`.
    The likelihood of a history with ``x`` repeat purchases, the last at ``t_x``, observed
    for ``T`` time units after the first purchase is

    .. math::

        L = \frac{B(a, b+x)}{B(a, b)} \frac{\Gamma(r+x)\,\alpha^r}{\Gamma(r)}
            \left[(\alpha+T)^{-(r+x)}
            + \delta_{x>0} \frac{a}{b+x-1} (\alpha+t_x)^{-(r+x)}\right]

    evaluated in log space (``logaddexp``) with an analytic gradient, over unique histories.

    Parameters
    ----------
    penalizer_coef : float
        L2 penalty on the parameters (on ``alpha`` after scaling time so that max T = 1, as
        ``lifetimes`` does). 0 gives the maximum-likelihood estimate.

    Examples
    --------
    >>> from aftersale.analytics import BetaGeoModel, load_cdnow_summary
    >>> cdnow = load_cdnow_summary()
    >>> model = BetaGeoModel().fit(cdnow.frequency, cdnow.recency, cdnow.T)
    >>> round(model.params_.r, 3), round(model.params_.alpha, 2)
    (0.243, 4.41)
    """

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        self.penalizer_coef = penalizer_coef
        self.params_: BetaGeoParams | None = None
        self.log_likelihood_: float | None = None

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        weights: ArrayLike | None = None,
    ) -> BetaGeoModel:
        """Estimate ``r, alpha, a, b`` by maximum likelihood.

        Parameters
        ----------
        frequency, recency, T : array_like
            Repeat purchases ``x``, time of the last purchase ``t_x`` and the customer's age
            ``T``, both measured from the first purchase in one time unit.
        weights : array_like, optional
            Number of customers having each row (defaults to one each).
        """
        x, t_x, age = check_histories(frequency, recency, T)
        check_fittable(x, age)
        w = None if weights is None else np.asarray(weights, dtype=np.float64)
        data = code_histories(x, t_x, age, w)
        max_t = float(np.max(age))
        scale = 1.0 / max_t if max_t > 0 else 1.0
        objective = _NegativeLogLikelihood(data, scale, self.penalizer_coef)
        start = np.log(np.array([0.5, 0.5, 1.0, 1.0]))
        every = data.frequency.size // 30_000
        log_params: FloatArray | None = None
        with single_threaded_blas():
            if every >= 4:
                # Large data: maximise on a systematic sample of the repeat buyers, then take
                # Newton steps on the full likelihood with the sample's curvature.
                sample = objective.subsample(every)
                try:
                    warm = maximise(sample, start, tol=1e-12, gtol=1e-7)
                    log_params = newton_polish(objective, warm, sample)
                except ConvergenceError:
                    log_params = None
            if log_params is None:
                log_params = maximise(objective, start)
        r, alpha, a, b = np.exp(log_params)
        self.params_ = BetaGeoParams(float(r), float(alpha / scale), float(a), float(b))
        # the likelihood of the data in its own time unit: undo the scaling's Jacobian
        total = float(data.zero_weight.sum() + data.weights.sum())
        raw_value = objective(log_params)[0] - self.penalizer_coef * float(
            np.exp(log_params) @ np.exp(log_params)
        )
        self.log_likelihood_ = -raw_value * total + dot(data.weights, data.frequency) * np.log(
            scale
        )
        return self

    def _params(self) -> BetaGeoParams:
        require_fitted(self.params_, "BetaGeoModel")
        assert self.params_ is not None
        return self.params_

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
        r"""Probability that the customer is still active at ``T``.

        .. math:: P(\text{alive}) = \left[1 + \delta_{x>0}\frac{a}{b+x-1}
                  \left(\frac{\alpha+T}{\alpha+t_x}\right)^{r+x}\right]^{-1}
        """
        x, t_x, age = check_histories(frequency, recency, T)
        return self._alive(x, t_x, age)

    def _alive(self, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
        """:meth:`p_alive` of histories already checked."""
        p = self._params()
        # 1 for customers without repeat purchases; the formula only for the repeat buyers
        alive = np.ones(x.size)
        repeat = np.flatnonzero(x)
        xr, tr, ar = x[repeat], t_x[repeat], age[repeat]
        log_odds = (p.r + xr) * np.log((p.alpha + ar) / (p.alpha + tr)) + np.log(
            p.a / (p.b + xr - 1.0)
        )
        alive[repeat] = expit(-log_odds)
        return alive

    def expected_purchases(
        self,
        t: ArrayLike,
        frequency: ArrayLike | None = None,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,
    ) -> FloatArray:
        r"""Expected number of purchases in the next ``t`` time units.

        With a history ``(x, t_x, T)`` this is the conditional expectation

        .. math:: E[Y(t)] = \frac{a+b+x-1}{a-1}
                  \left[1 - (1-z)^{a-1}\,{}_2F_1(a+b-1-r, a-1; a+b+x-1; z)\right] P(\text{alive}),
                  \quad z = \frac{t}{\alpha+T+t}

        (the Euler-transformed, overflow-free form of FHL 2005 eq. 10). Without a history it is
        the expected number of repeat purchases of a new customer in ``(0, t]``.
        """
        p = self._params()
        horizon = check_horizon(t)
        if frequency is None or recency is None or T is None:
            z = horizon / (p.alpha + horizon)
            term = (1 - z) ** (p.a - 1) * hyp2f1(p.a + p.b - 1 - p.r, p.a - 1, p.a + p.b - 1, z)
            return np.asarray((p.a + p.b - 1) / (p.a - 1) * (1 - term), dtype=np.float64)
        x, t_x, age = check_histories(frequency, recency, T)
        if horizon.ndim == 0:
            return next(iter(self.expected_purchases_path([float(horizon)], x, t_x, age)))
        return np.asarray(self._growth(horizon, x, age) * self._alive(x, t_x, age))

    def expected_purchases_path(
        self, horizons: Sequence[float], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Iterator[FloatArray]:
        """:meth:`expected_purchases` for each horizon in turn, sharing the work.

        The hypergeometric part depends on ``x`` and ``T`` only, so it is evaluated once per
        distinct ``(x, T)`` pair; used by :meth:`GammaGammaModel.clv`.
        """
        x, t_x, age = check_histories(frequency, recency, T)
        for horizon in horizons:
            check_horizon(horizon)
        alive = self._alive(x, t_x, age)
        if x.size > 5_000:
            inverse, x_pairs, age_pairs = pair_codes(x, age)
            for horizon in horizons:
                yield self._growth(np.float64(horizon), x_pairs, age_pairs)[inverse] * alive
        else:
            for horizon in horizons:
                yield self._growth(np.float64(horizon), x, age) * alive

    def _growth(
        self, t: npt.NDArray[np.float64] | np.float64, x: FloatArray, age: FloatArray
    ) -> FloatArray:
        """Expected purchases in ``t`` of a customer known to be alive."""
        p = self._params()
        z = t / (p.alpha + age + t)
        c = p.a + p.b + x - 1
        term = np.exp((p.a - 1) * np.log1p(-z)) * hyp2f1(p.a + p.b - 1 - p.r, p.a - 1, c, z)
        return np.asarray(c / (p.a - 1) * (1 - term), dtype=np.float64)

    def p_purchases(
        self,
        n: int,
        t: float,
        frequency: ArrayLike | None = None,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,
    ) -> FloatArray:
        r"""Probability of exactly ``n`` purchases in the next ``t`` time units.

        Without a history: a new customer's :math:`P(X(t)=n)` (FHL 2005 eq. 8), computed with
        log-beta/log-gamma terms and the regularised incomplete beta for the NBD tail.
        With a history ``(x, t_x, T)``: an active customer's rate and dropout posteriors are
        :math:`\Gamma(r+x, \alpha+T)` and :math:`B(a, b+x)`, so the answer is
        ``P(alive) * P_new(n; r+x, alpha+T, a, b+x) + (1 - P(alive)) * [n == 0]``.
        """
        p = self._params()
        if n < 0:
            raise ValueError("n must be a non-negative whole number")
        check_horizon(t)
        if frequency is None or recency is None or T is None:
            return _pmf_new(n, t, p.r, p.alpha, p.a, p.b)
        x, t_x, age = check_histories(frequency, recency, T)
        alive = self._alive(x, t_x, age)
        pmf = _pmf_new(n, t, p.r + x, p.alpha + age, p.a, p.b + x)
        return np.asarray(alive * pmf + (1 - alive) * (n == 0), dtype=np.float64)

    def log_likelihood(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
        """Per-customer log-likelihood under the fitted parameters."""
        x, t_x, age = check_histories(frequency, recency, T)
        return _log_likelihood(self._params(), x, t_x, age)


def _pmf_new(
    n: int, t: float, r: ArrayLike, alpha: ArrayLike, a: float, b: ArrayLike
) -> FloatArray:
    r_ = np.asarray(r, dtype=np.float64)
    al = np.asarray(alpha, dtype=np.float64)
    b_ = np.asarray(b, dtype=np.float64)
    if t <= 0:
        return np.asarray(np.broadcast_to(1.0 if n == 0 else 0.0, np.broadcast(r_, al, b_).shape))
    log_first = (
        betaln(a, b_ + n)
        - betaln(a, b_)
        + gammaln(r_ + n)
        - gammaln(r_)
        - gammaln(n + 1.0)
        + r_ * np.log(al / (al + t))
        + n * np.log(t / (al + t))
    )
    first = np.exp(log_first)
    if n == 0:
        return np.asarray(first, dtype=np.float64)
    # 1 - (alpha/(alpha+t))^r * sum_{j<n} NB terms = P(NBD >= n) = I_{t/(alpha+t)}(n, r)
    tail = betainc(n, r_, t / (al + t))
    second = np.exp(betaln(a + 1, b_ + n - 1) - betaln(a, b_)) * tail
    return np.asarray(first + second, dtype=np.float64)


def _log_likelihood(
    p: BetaGeoParams, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    const = (
        gammaln(p.r + x)
        - gammaln(p.r)
        + p.r * np.log(p.alpha)
        + betaln(p.a, p.b + x)
        - betaln(p.a, p.b)
    )
    u = -(p.r + x) * np.log(p.alpha + age)
    v = np.log(p.a) - np.log(p.b + np.maximum(x, 1.0) - 1.0) - (p.r + x) * np.log(p.alpha + t_x)
    v = np.where(x > 0, v, -np.inf)
    return np.asarray(const + np.logaddexp(u, v), dtype=np.float64)


class _NegativeLogLikelihood:
    """Mean negative log-likelihood and its gradient in log-parameters.

    Terms that depend on ``x`` alone are evaluated once per distinct ``x``, terms in
    ``log(alpha + t)`` once per distinct time; customers without repeat purchases enter only
    through weights per distinct ``T``. Only the mixing term between "still active" and
    "dropped out after the last purchase" needs a pass over the (unique) repeat-buyer rows.
    """

    def __init__(self, data: CodedHistories, scale: float, penalizer: float) -> None:
        self.penalizer = penalizer
        self.times = data.times * scale
        total = float(data.zero_weight.sum() + data.weights.sum())
        w = data.weights / total
        self.w = w
        x = data.frequency
        self.x = x
        self.rc = data.recency_code
        self.tc = data.age_code
        ux, x_code = np.unique(x, return_inverse=True)
        self.ux = np.concatenate([[0.0], ux])
        self.x_code = x_code.ravel() + 1
        zero_w = data.zero_weight / total
        self.wx = np.concatenate([[zero_w.sum()], total_by(x_code.ravel(), w)])
        size = self.times.size
        # weights per distinct T of (w) and (w * x) over all customers, for -(r+x) log(alpha+T)
        self.w_t = zero_w + total_by(self.tc, w, size)
        self.wx_t = total_by(self.tc, w * x, size)

    def subsample(self, every: int) -> _NegativeLogLikelihood:
        """An estimate of the same objective from every ``every``-th repeat-buyer row."""
        clone = object.__new__(_NegativeLogLikelihood)
        clone.__dict__.update(self.__dict__)
        pick = slice(0, None, every)
        clone.w = self.w[pick] * (self.w.sum() / max(self.w[pick].sum(), 1e-300))
        clone.x, clone.rc, clone.tc = self.x[pick], self.rc[pick], self.tc[pick]
        clone.x_code = self.x_code[pick]
        return clone

    def __call__(self, log_params: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = np.exp(log_params)
        ux, wx = self.ux, self.wx
        # terms depending on x only (per distinct x)
        const_x = gammaln(r + ux) + gammaln(b + ux) - gammaln(a + b + ux)
        value = dot(wx, const_x) + (-gammaln(r) + r * np.log(alpha) + gammaln(a + b) - gammaln(b))
        d_r = dot(wx, digamma(r + ux)) - digamma(r) + np.log(alpha)
        d_alpha = r / alpha
        d_a = digamma(a + b) - dot(wx, digamma(a + b + ux))
        d_b = digamma(a + b) - digamma(b) + dot(wx, digamma(b + ux) - digamma(a + b + ux))
        # the "still active" term for everyone: -(r+x) log(alpha+T), per distinct T
        log_time = np.log(alpha + self.times)
        inv_time = 1.0 / (alpha + self.times)
        value -= r * dot(self.w_t, log_time) + dot(self.wx_t, log_time)
        d_r -= dot(self.w_t, log_time)
        d_alpha -= r * dot(self.w_t, inv_time) + dot(self.wx_t, inv_time)
        # repeat buyers: log(1 + exp(diff)), diff the log-odds of having dropped out
        if self.x.size:
            rx = r + self.x
            gap = log_time[self.rc] - log_time[self.tc]
            log_bx = np.log(b + np.maximum(ux, 1.0) - 1.0)
            diff = (np.log(a) - log_bx[self.x_code]) - rx * gap
            small = np.exp(-np.abs(diff))
            mix = np.maximum(diff, 0.0) + np.log1p(small)  # log(1 + exp(diff))
            # weight x posterior probability of "dropped out" (the logistic of diff)
            wq = self.w * np.where(diff >= 0, 1.0, small) / (1.0 + small)
            value += dot(self.w, mix)
            d_r -= dot(wq, gap)
            d_alpha -= dot(wq * rx, inv_time[self.rc] - inv_time[self.tc])
            d_a += float(wq.sum()) / a
            inv_bx = 1.0 / (b + np.maximum(ux, 1.0) - 1.0)
            d_b -= dot(wq, inv_bx[self.x_code])
        grad = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
        params = np.array([r, alpha, a, b])
        penalty = self.penalizer * dot(params, params)
        grad_pen = 2.0 * self.penalizer * params * params
        return -value + penalty, -grad + grad_pen
