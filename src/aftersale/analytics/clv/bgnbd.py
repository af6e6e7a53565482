"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betainc, betaln, digamma, expit, gammaln, hyp2f1

from aftersale.analytics.clv._fitting import (
    ArrayLike,
    FloatArray,
    check_histories,
    compress,
    maximise,
    require_fitted,
)


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
        w = None if weights is None else np.asarray(weights, dtype=np.float64)
        data = compress(x, t_x, age, w)
        scale = 1.0 / float(np.max(data.T)) if np.max(data.T) > 0 else 1.0
        objective = _NegativeLogLikelihood(
            data.frequency, data.recency * scale, data.T * scale, data.weights, self.penalizer_coef
        )
        start = np.log(np.array([0.5, 0.5, 1.0, 1.0]))
        log_params = maximise(objective, start)
        r, alpha, a, b = np.exp(log_params)
        self.params_ = BetaGeoParams(float(r), float(alpha / scale), float(a), float(b))
        self.log_likelihood_ = float(
            np.sum(
                data.weights * _log_likelihood(self.params_, data.frequency, data.recency, data.T)
            )
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
        p = self._params()
        x, t_x, age = check_histories(frequency, recency, T)
        log_odds = (p.r + x) * (np.log(p.alpha + age) - np.log(p.alpha + t_x)) + np.log(
            p.a / (p.b + np.maximum(x, 1.0) - 1.0)
        )
        return np.where(x == 0, 1.0, expit(-log_odds))

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
        horizon = np.asarray(t, dtype=np.float64)
        if frequency is None or recency is None or T is None:
            z = horizon / (p.alpha + horizon)
            term = (1 - z) ** (p.a - 1) * hyp2f1(p.a + p.b - 1 - p.r, p.a - 1, p.a + p.b - 1, z)
            return np.asarray((p.a + p.b - 1) / (p.a - 1) * (1 - term), dtype=np.float64)
        x, t_x, age = check_histories(frequency, recency, T)
        z = horizon / (p.alpha + age + horizon)
        c = p.a + p.b + x - 1
        term = np.exp((p.a - 1) * np.log1p(-z)) * hyp2f1(p.a + p.b - 1 - p.r, p.a - 1, c, z)
        return np.asarray(c / (p.a - 1) * (1 - term) * self.p_alive(x, t_x, age), dtype=np.float64)

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
        if frequency is None or recency is None or T is None:
            return _pmf_new(n, t, p.r, p.alpha, p.a, p.b)
        x, t_x, age = check_histories(frequency, recency, T)
        alive = self.p_alive(x, t_x, age)
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

    Everything that depends on ``x`` alone is evaluated once per distinct ``x`` and gathered;
    only the mixing term between "still active" and "dropped after the last purchase" needs a
    pass over all (compressed) rows.
    """

    def __init__(
        self, x: FloatArray, t_x: FloatArray, age: FloatArray, w: FloatArray, penalizer: float
    ) -> None:
        self.penalizer = penalizer
        self.total = float(w.sum())
        self.w = w / self.total
        ux, self.x_code = np.unique(x, return_inverse=True)
        self.ux = ux
        self.wx = np.bincount(self.x_code, weights=self.w, minlength=ux.size)
        repeat = x > 0
        self.age = age
        self.rep_idx = np.flatnonzero(repeat)
        self.x_rep = x[repeat]
        self.tx_rep = t_x[repeat]
        self.age_rep = age[repeat]
        self.w_rep = self.w[repeat]
        self.xcode_rep = self.x_code[repeat]
        self.wx_all = self.w * x

    def __call__(self, log_params: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = np.exp(log_params)
        ux, wx = self.ux, self.wx
        # terms depending on x only (per distinct x)
        const_x = gammaln(r + ux) + gammaln(b + ux) - gammaln(a + b + ux)
        value = float(wx @ const_x) + (
            -gammaln(r) + r * np.log(alpha) + gammaln(a + b) - gammaln(b)
        )
        d_r = float(wx @ digamma(r + ux)) - digamma(r) + np.log(alpha)
        d_alpha = r / alpha
        d_a = digamma(a + b) - float(wx @ digamma(a + b + ux))
        d_b = digamma(a + b) - digamma(b) + float(wx @ (digamma(b + ux) - digamma(a + b + ux)))
        # the "no dropout" term for everyone: -(r+x) log(alpha+T)
        log_at = np.log(alpha + self.age)
        inv_at = 1.0 / (alpha + self.age)
        value -= r * float(self.w @ log_at) + float(self.wx_all @ log_at)
        d_r -= float(self.w @ log_at)
        d_alpha -= r * float(self.w @ inv_at) + float(self.wx_all @ inv_at)
        # repeat buyers: log(1 + exp(v - u)) with v - u the log-odds of having dropped out
        if self.rep_idx.size:
            rx = r + self.x_rep
            log_atx = np.log(alpha + self.tx_rep)
            log_at_rep = log_at[self.rep_idx]
            log_bx = np.log(b + self.x_rep - 1.0)
            diff = np.log(a) - log_bx - rx * (log_atx - log_at_rep)
            mix = np.logaddexp(0.0, diff)
            q = np.exp(diff - mix)  # posterior probability of "dropped out"
            wq = self.w_rep * q
            value += float(self.w_rep @ mix)
            d_r -= float(wq @ (log_atx - log_at_rep))
            d_alpha -= float(
                wq @ (rx * (1.0 / (alpha + self.tx_rep) - 1.0 / (alpha + self.age_rep)))
            )
            d_a += float(wq.sum()) / a
            d_b -= float(wq @ (1.0 / (b + self.x_rep - 1.0)))
        grad = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
        params = np.array([r, alpha, a, b])
        penalty = self.penalizer * float(params @ params)
        grad_pen = 2.0 * self.penalizer * params * params
        return -value + penalty, -grad + grad_pen
