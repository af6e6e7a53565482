"""Input checks, row compression and the optimiser shared by the buy-till-you-die estimators."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ArrayLike = npt.ArrayLike


class ConvergenceError(RuntimeError):
    """The optimiser did not reach a maximum of the likelihood."""


@dataclass(frozen=True)
class Histories:
    """Compressed purchase histories: unique ``(x, t_x, T)`` rows with their weights."""

    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    weights: FloatArray


def as_float_array(values: ArrayLike, name: str) -> FloatArray:
    """Return ``values`` as a 1-D float64 array, rejecting NaN and infinity."""
    array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def check_histories(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate and broadcast ``(frequency, recency, T)`` as float arrays."""
    x = as_float_array(frequency, "frequency")
    t_x = as_float_array(recency, "recency")
    age = as_float_array(T, "T")
    x, t_x, age = np.broadcast_arrays(x, t_x, age)
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency must hold non-negative whole numbers of repeat purchases")
    if np.any(t_x < 0):
        raise ValueError("recency must be non-negative")
    if np.any(t_x > age * (1 + 1e-12)):
        raise ValueError("recency must not exceed T (the customer's age)")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("recency must be 0 for customers without repeat purchases")
    return x, t_x, age


def compress(
    frequency: FloatArray, recency: FloatArray, T: FloatArray, weights: FloatArray | None
) -> Histories:
    """Collapse identical ``(x, t_x, T)`` rows into one row with a summed weight.

    Customers with no repeat purchase only differ by ``T``, so real data with day-resolution
    times compresses well; the likelihood is then evaluated once per unique history.
    """
    w = np.ones_like(frequency) if weights is None else as_float_array(weights, "weights")
    if w.shape != frequency.shape:
        raise ValueError("weights must have one value per customer")
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    _, t_code = np.unique(T, return_inverse=True)
    _, r_code = np.unique(recency, return_inverse=True)
    n_t = int(t_code.max()) + 1 if t_code.size else 1
    n_r = int(r_code.max()) + 1 if r_code.size else 1
    x_code = frequency.astype(np.int64)
    key = (x_code * n_r + r_code.astype(np.int64)) * n_t + t_code.astype(np.int64)
    unique_key, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=w, minlength=unique_key.size)
    keep = summed > 0
    idx = first[keep]
    return Histories(frequency[idx], recency[idx], T[idx], summed[keep])


def maximise(
    negative_log_likelihood: Callable[[FloatArray], tuple[float, FloatArray]],
    start: FloatArray,
    *,
    gradient: bool = True,
    tol: float = 1e-10,
    max_iter: int = 2000,
) -> FloatArray:
    """Minimise a negative mean log-likelihood over log-parameters with L-BFGS-B.

    Returns the optimal log-parameters; raises :class:`ConvergenceError` if the optimiser
    fails or ends on a non-finite value.
    """
    if gradient:
        result = minimize(
            negative_log_likelihood,
            start,
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": max_iter, "ftol": tol, "gtol": 1e-8},
        )
    else:

        def value_only(z: FloatArray) -> float:
            return negative_log_likelihood(z)[0]

        result = minimize(
            value_only,
            start,
            method="L-BFGS-B",
            options={"maxiter": max_iter, "ftol": tol, "gtol": 1e-8, "eps": 1e-8},
        )
    x_opt = np.asarray(result.x, dtype=np.float64)
    if not np.isfinite(result.fun) or not np.all(np.isfinite(x_opt)):
        raise ConvergenceError("the likelihood is not finite at the optimum; add a penalizer_coef")
    if not result.success and "ABNORMAL" not in str(result.message).upper():
        raise ConvergenceError(f"the optimiser did not converge: {result.message}")
    return x_opt


def require_fitted(params: object, name: str) -> None:
    """Raise a clear error when a predict method is called before ``fit``."""
    if params is None:
        raise RuntimeError(f"{name} is not fitted yet: call fit() first")
