"""Input checks, row compression and the optimiser shared by the buy-till-you-die estimators."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from aftersale.analytics.identifiers import total_by

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


def dot(a: FloatArray, b: FloatArray) -> float:
    """Inner product of two 1-D arrays without BLAS.

    ``a @ b`` goes to a multi-threaded BLAS that, on a busy machine, can be a hundred times
    slower for vectors than this single pass.
    """
    return float(np.einsum("i,i->", a, b))


def as_float_array(values: ArrayLike, name: str) -> FloatArray:
    """Return ``values`` as a 1-D float64 array, rejecting NaN and infinity."""
    array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    # NaN and infinity survive a sum (one pass, no temporary); only then look closer
    with np.errstate(over="ignore", invalid="ignore"):
        suspicious = not np.isfinite(np.add.reduce(array))
    if suspicious and not np.all(np.isfinite(array)):
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
    if x.size == 0:
        return x, t_x, age
    # reductions first (no temporaries); the exact element checks only on large arrays' way
    if x.min() < 0 or np.any(np.fmod(x, 1.0)):
        raise ValueError("frequency must hold non-negative whole numbers of repeat purchases")
    if t_x.min() < 0:
        raise ValueError("recency must be non-negative")
    if np.any(t_x > age * (1 + 1e-12)):
        raise ValueError("recency must not exceed T (the customer's age)")
    if np.any(t_x[x == 0]):
        raise ValueError("recency must be 0 for customers without repeat purchases")
    return x, t_x, age


@dataclass(frozen=True)
class CodedHistories:
    """Histories on a table of distinct times, for the fast BG/NBD likelihood.

    Customers without repeat purchases differ only by ``T``, so they are kept as a weight per
    distinct ``T`` (``zero_weight``); repeat buyers are unique ``(x, t_x, T)`` rows whose times
    are codes into ``times``.
    """

    times: FloatArray
    zero_weight: FloatArray
    frequency: FloatArray
    recency_code: IntArray
    age_code: IntArray
    weights: FloatArray

    def decoded(self) -> Histories:
        """The same data as plain rows (``x = 0`` rows first)."""
        has_zero = np.flatnonzero(self.zero_weight > 0)
        return Histories(
            frequency=np.concatenate([np.zeros(has_zero.size), self.frequency]),
            recency=np.concatenate([np.zeros(has_zero.size), self.times[self.recency_code]]),
            T=np.concatenate([self.times[has_zero], self.times[self.age_code]]),
            weights=np.concatenate([self.zero_weight[has_zero], self.weights]),
        )


def _grid_step(sample: FloatArray) -> float | None:
    """The spacing of the regular time grid (e.g. whole days) that ``sample`` suggests."""
    values = np.unique(sample)
    gaps = np.diff(values)
    gaps = gaps[gaps > 0]
    if values.size and values[0] > 0:
        gaps = np.append(gaps, values[0])
    return float(gaps.min()) if gaps.size else None


def _grid_codes(values: FloatArray, step: float) -> IntArray | None:
    """``values / step`` as integers, or ``None`` if the values are not on that grid."""
    scaled = values / step
    codes = np.rint(scaled)
    if codes.size and (codes[-1] > 2**22 or float(np.max(np.abs(codes - scaled))) > 1e-6):
        return None
    if codes.size and float(codes.max()) > 2**22:
        return None
    return codes.astype(np.int64)


def code_histories(
    frequency: FloatArray, recency: FloatArray, T: FloatArray, weights: FloatArray | None
) -> CodedHistories:
    """Encode histories on a table of distinct times and collapse identical rows.

    Day-resolution data (in any time unit) lies on a regular grid, found from a sample and
    checked on every value without sorting; otherwise the table is the sorted set of distinct
    times.
    """
    n = frequency.size
    w = None if weights is None else as_float_array(weights, "weights")
    if w is not None and (w.shape != frequency.shape or np.any(w < 0)):
        raise ValueError("weights must be one non-negative value per customer")
    step = _grid_step(np.concatenate([recency[:20_000], T[:20_000]]))
    r_code: IntArray | None = None
    t_code: IntArray | None = None
    if step is not None:
        t_code = _grid_codes(T, step)
        r_code = None if t_code is None else _grid_codes(recency, step)
    times: FloatArray
    if r_code is not None and t_code is not None and step is not None:
        size = int(t_code.max(initial=0)) + 1
        times = np.arange(size, dtype=np.float64) * step
    else:
        distinct_times, inverse = np.unique(np.concatenate([recency, T]), return_inverse=True)
        times = np.asarray(distinct_times, dtype=np.float64)
        codes = inverse.astype(np.int64).ravel()
        size = times.size
        r_code, t_code = codes[:n], codes[n:]
    zero = frequency == 0
    zero_weight = total_by(t_code[zero], None if w is None else w[zero], size).astype(np.float64)
    repeat = ~zero
    x_rep = frequency[repeat].astype(np.int64)
    max_x = int(x_rep.max(initial=0)) + 1
    if max_x * size * size < 2**62:
        key = (x_rep * size + r_code[repeat]) * size + t_code[repeat]
        if w is None:
            unique_key, counts = np.unique(key, return_counts=True)
            summed = counts.astype(np.float64)
        else:
            unique_key, inverse = np.unique(key, return_inverse=True)
            summed = total_by(inverse.ravel(), w[repeat], unique_key.size)
        rest = unique_key // size
        return CodedHistories(
            times=times,
            zero_weight=zero_weight,
            frequency=(rest // size).astype(np.float64),
            recency_code=rest % size,
            age_code=unique_key % size,
            weights=summed,
        )
    return CodedHistories(
        times=times,
        zero_weight=zero_weight,
        frequency=frequency[repeat],
        recency_code=r_code[repeat],
        age_code=t_code[repeat],
        weights=np.ones(int(repeat.sum())) if w is None else w[repeat],
    )


def pair_codes(frequency: FloatArray, T: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
    """Index every ``(x, T)`` pair into the arrays of distinct pairs.

    Predictions whose expensive part depends on ``x`` and ``T`` only (not on ``t_x``) are
    computed once per distinct pair. Day-resolution ``T`` is coded on its grid in linear time.

    Returns
    -------
    inverse, x_unique, T_unique
        ``x_unique[inverse] == frequency`` and ``T_unique[inverse] == T``.
    """
    x_int = frequency.astype(np.int64)
    step = _grid_step(T[:20_000])
    codes = None if step is None else _grid_codes(T, step)
    if codes is not None and step is not None:
        width = int(codes.max(initial=0)) + 1
        space = (int(x_int.max(initial=0)) + 1) * width
        if space <= 20_000_000:
            key = x_int * width + codes
            used = np.zeros(space, dtype=bool)
            used[key] = True
            distinct = np.flatnonzero(used)
            lookup = np.zeros(space, dtype=np.int64)
            lookup[distinct] = np.arange(distinct.size)
            return (
                lookup[key],
                (distinct // width).astype(np.float64),
                np.asarray((distinct % width) * step, dtype=np.float64),
            )
    t_values, t_code = np.unique(T, return_inverse=True)
    key = x_int * t_values.size + t_code.ravel()
    distinct, inverse = np.unique(key, return_inverse=True)
    return (
        inverse.ravel().astype(np.int64),
        (distinct // t_values.size).astype(np.float64),
        t_values[distinct % t_values.size],
    )


def single_threaded_blas() -> threadpool_limits:
    """Keep BLAS to one thread while fitting.

    The optimisers work on vectors of 3-4 parameters; a multi-threaded BLAS only adds
    start-up and spinning costs, which on a busy machine were most of the fit time.
    """
    return threadpool_limits(limits=1, user_api="blas")


#: Log-parameters are kept within this box (time is scaled so that max T = 1 and spend by its
#: mean, so sensible parameters are far inside it).
LOG_PARAM_BOUND = 20.0
#: A parameter beyond exp(+-11.5) (about 1e5) means the likelihood kept improving as it ran
#: off to 0 or infinity: the data cannot identify the model, and the fit is refused.
LOG_PARAM_DEGENERATE = 11.5


def maximise(
    negative_log_likelihood: Callable[[FloatArray], tuple[float, FloatArray]],
    start: FloatArray,
    *,
    gradient: bool = True,
    tol: float = 1e-10,
    max_iter: int = 2000,
    gtol: float = 1e-8,
) -> FloatArray:
    """Minimise a negative mean log-likelihood over log-parameters with L-BFGS-B.

    Returns the optimal log-parameters; raises :class:`ConvergenceError` if the optimiser
    fails, ends on a non-finite value or on the edge of the parameter box.
    """
    bounds = [(-LOG_PARAM_BOUND, LOG_PARAM_BOUND)] * start.size

    def safe(z: FloatArray) -> tuple[float, FloatArray]:
        with np.errstate(all="ignore"):
            value, grad = negative_log_likelihood(z)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return 1e10, np.zeros_like(z)
        return value, grad

    options = {"maxiter": max_iter, "ftol": tol, "gtol": gtol}
    if gradient:
        result = minimize(  # type: ignore[call-overload]
            safe, start, jac=True, method="L-BFGS-B", bounds=bounds, options=options
        )
    else:

        def value_only(z: FloatArray) -> float:
            return safe(z)[0]

        result = minimize(  # type: ignore[call-overload]
            value_only, start, method="L-BFGS-B", bounds=bounds, options={**options, "eps": 1e-8}
        )
    x_opt = np.asarray(result.x, dtype=np.float64)
    if not np.isfinite(result.fun) or result.fun >= 1e10 or not np.all(np.isfinite(x_opt)):
        raise ConvergenceError("the likelihood is not finite at the optimum; add a penalizer_coef")
    if np.any(np.abs(x_opt) >= LOG_PARAM_DEGENERATE):
        raise ConvergenceError(
            "a parameter ran off to 0 or infinity: the data cannot identify the model "
            "(e.g. no sign of customers dropping out); add a penalizer_coef such as 0.01"
        )
    if not result.success and "ABNORMAL" not in str(result.message).upper():
        raise ConvergenceError(f"the optimiser did not converge: {result.message}")
    return x_opt


def newton_polish(
    objective: Callable[[FloatArray], tuple[float, FloatArray]],
    start: FloatArray,
    curvature_from: Callable[[FloatArray], tuple[float, FloatArray]],
    *,
    step_tol: float = 1e-7,
    max_iter: int = 20,
) -> FloatArray | None:
    """Refine ``start`` by Newton steps with a fixed Hessian taken from a cheaper objective.

    The Hessian of ``curvature_from`` (a subsample of the same likelihood) at ``start`` is
    estimated by central differences of its gradient; each iteration then costs one evaluation
    of the full objective. Returns ``None`` when the Hessian is not positive definite or the
    steps stop improving, so the caller can fall back to a general optimiser.
    """
    size = start.size
    hessian = np.empty((size, size))
    h = 1e-4
    for i in range(size):
        bump = np.zeros(size)
        bump[i] = h
        hessian[:, i] = (curvature_from(start + bump)[1] - curvature_from(start - bump)[1]) / (
            2 * h
        )
    hessian = 0.5 * (hessian + hessian.T)
    try:
        factor = np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        return None
    z = start.copy()
    value, grad = objective(z)
    for _ in range(max_iter):
        step = -np.linalg.solve(factor.T, np.linalg.solve(factor, grad))
        if float(np.max(np.abs(step))) < step_tol:
            return z
        noise = 1e-12 * max(1.0, abs(value))  # rounding in the summed likelihood
        t = 1.0
        while True:
            candidate = z + t * step
            new_value, new_grad = objective(candidate)
            if (
                np.isfinite(new_value)
                and new_value <= value + 1e-4 * t * float(grad @ step) + noise
            ):
                break
            t *= 0.5
            if t < 1e-3:
                return None
        z, value, grad = candidate, new_value, new_grad
    return None


def check_fittable(frequency: FloatArray, T: FloatArray) -> None:
    """Refuse histories from which no purchase model can be estimated.

    Without any repeat purchase the likelihood keeps growing as the purchase rate goes to 0
    (any answer would be arbitrary), and with every ``T`` zero nothing has been observed.
    """
    if frequency.size == 0:
        raise ValueError("there are no customers to fit the model on")
    if not np.any(T > 0):
        raise ValueError(
            "every customer has T = 0 (all first purchases on the last day): nothing has been "
            "observed yet; analyse a later date or a longer export"
        )
    if not np.any(frequency > 0):
        raise ValueError(
            "no repeat purchases: every frequency is 0, so the purchase rate cannot be "
            "estimated; the model needs customers who bought more than once"
        )


def check_horizon(t: ArrayLike) -> FloatArray:
    """A prediction horizon ``t`` as floats; negative or non-finite values are refused."""
    horizon = np.asarray(t, dtype=np.float64)
    if not np.all(np.isfinite(horizon)) or np.any(horizon < 0):
        raise ValueError(f"t must be a non-negative, finite length of time (got {t!r})")
    return horizon


def require_fitted(params: object, name: str) -> None:
    """Raise a clear error when a predict method is called before ``fit``."""
    if params is None:
        raise RuntimeError(f"{name} is not fitted yet: call fit() first")
