"""Draw purchase histories from the BG/NBD and Pareto/NBD generative processes.

Used to check that the estimators recover known parameters and to build benchmark data.
Both simulators are fully vectorised: given a customer's number of purchases ``n`` in
``(0, L]`` of a Poisson process, the purchase times are ``n`` uniform order statistics, so the
time of the ``k``-th purchase is ``L * Beta(k, n - k + 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SimulatedHistories:
    """Simulated ``frequency``, ``recency`` and ``T`` (continuous time, one unit)."""

    frequency: FloatArray
    recency: FloatArray
    T: FloatArray


def _ages(T: npt.ArrayLike | float, size: int) -> FloatArray:
    age = np.asarray(T, dtype=np.float64)
    return np.asarray(np.broadcast_to(age, (size,)).copy(), dtype=np.float64)


def simulate_bgnbd(
    size: int,
    T: npt.ArrayLike | float,
    r: float,
    alpha: float,
    a: float,
    b: float,
    *,
    seed: int | np.random.Generator | None = None,
) -> SimulatedHistories:
    """Simulate BG/NBD customers observed for ``T`` time units after their first purchase.

    Each customer gets ``lambda ~ Gamma(r, scale=1/alpha)`` and ``p ~ Beta(a, b)``; after each
    repeat purchase they drop out with probability ``p``, so the number of repeat purchases
    they would ever make is ``Geometric(p)``; observed ``x = min(Geometric(p), N(T))``.

    Examples
    --------
    >>> sim = simulate_bgnbd(1000, 39.0, 0.25, 4.4, 0.8, 2.4, seed=1)
    >>> bool((sim.recency <= sim.T).all())
    True
    """
    rng = np.random.default_rng(seed)
    age = _ages(T, size)
    lam = rng.gamma(r, 1.0 / alpha, size)
    p = rng.beta(a, b, size)
    n_poisson = rng.poisson(lam * age)
    max_purchases = rng.geometric(np.clip(p, 1e-300, 1.0))
    x = np.minimum(n_poisson, max_purchases)
    recency = np.zeros(size)
    buyers = x > 0
    recency[buyers] = age[buyers] * rng.beta(
        x[buyers].astype(np.float64), (n_poisson[buyers] - x[buyers] + 1).astype(np.float64)
    )
    return SimulatedHistories(x.astype(np.float64), recency, age)


def simulate_paretonbd(
    size: int,
    T: npt.ArrayLike | float,
    r: float,
    alpha: float,
    s: float,
    beta: float,
    *,
    seed: int | np.random.Generator | None = None,
) -> SimulatedHistories:
    """Simulate Pareto/NBD customers observed for ``T`` time units after their first purchase.

    Each customer gets ``lambda ~ Gamma(r, 1/alpha)``, ``mu ~ Gamma(s, 1/beta)`` and an
    exponential lifetime ``tau ~ Exp(mu)``; purchases form a Poisson process on
    ``(0, min(tau, T)]``.
    """
    rng = np.random.default_rng(seed)
    age = _ages(T, size)
    lam = rng.gamma(r, 1.0 / alpha, size)
    mu = rng.gamma(s, 1.0 / beta, size)
    lifetime = rng.exponential(1.0, size) / mu
    active = np.minimum(lifetime, age)
    x = rng.poisson(lam * active)
    recency = np.zeros(size)
    buyers = x > 0
    recency[buyers] = active[buyers] * rng.beta(x[buyers].astype(np.float64), 1.0)
    return SimulatedHistories(x.astype(np.float64), recency, age)
