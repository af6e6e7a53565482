r"""The difference between a treated group and a control group, with Welch's interval.

Given the outcome of every customer in a treated group (``t``, messaged) and a randomly held-out
control group (``c``), the uplift per customer is

.. math:: \hat\delta = \bar y_t - \bar y_c,
   \qquad \mathrm{SE} = \sqrt{s_t^2 / n_t + s_c^2 / n_c},

and its :math:`1 - \alpha` confidence interval is
:math:`\hat\delta \pm t_{1-\alpha/2,\,\nu}\,\mathrm{SE}` with the Welch–Satterthwaite degrees of
freedom

.. math:: \nu = \frac{(s_t^2/n_t + s_c^2/n_c)^2}
   {\frac{(s_t^2/n_t)^2}{n_t - 1} + \frac{(s_c^2/n_c)^2}{n_c - 1}}.

Welch's interval does not assume the two groups vary alike (a message can change the spread of
spending as well as its mean). Revenue per customer is skewed (most spend nothing), so the
interval relies on the central limit theorem: it is shown only once each group has at least
``min_group`` customers.

``customers_needed`` answers "how many customers until we can tell": the total number of
customers (split as now) at which an interval of the same confidence would exclude zero if the
uplift and spreads stayed as estimated,
:math:`N = z^2 (s_t^2 / (1-p) + s_c^2 / p) / \hat\delta^2` with :math:`p` the control share.

Example
-------
>>> import numpy as np
>>> u = welch_uplift(np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.0, 1.0, 2.0]), min_group=2)
>>> round(u.difference, 2)
1.5
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Uplift:
    """Treated minus control, per customer, with a confidence interval.

    ``low``/``high`` are None while either group has fewer than ``min_group`` customers or
    both groups have no spread at all; ``customers_needed`` is None when the interval already
    excludes zero, and ``math.inf`` when the estimate is exactly zero.
    """

    n_treated: int
    n_control: int
    mean_treated: float
    mean_control: float
    difference: float
    low: float | None
    high: float | None
    confidence: float
    customers_needed: float | None

    @property
    def known(self) -> bool:
        return self.low is not None and self.high is not None

    @property
    def verdict(self) -> str:
        """``"unknown"`` (too few), ``"unclear"`` (the interval holds zero), ``"gain"`` or
        ``"loss"``."""
        if self.low is None or self.high is None:
            return "unknown"
        if self.low > 0:
            return "gain"
        if self.high < 0:
            return "loss"
        return "unclear"


def _mean(values: FloatArray) -> float:
    return float(values.mean()) if values.size else 0.0


def welch_uplift(
    treated: FloatArray,
    control: FloatArray,
    *,
    confidence: float = 0.95,
    min_group: int = 10,
) -> Uplift:
    """Welch's interval for ``mean(treated) - mean(control)`` (see the module docstring)."""
    treated = np.asarray(treated, dtype=np.float64)
    control = np.asarray(control, dtype=np.float64)
    n_t, n_c = int(treated.size), int(control.size)
    mean_t, mean_c = _mean(treated), _mean(control)
    difference = mean_t - mean_c
    unknown = Uplift(n_t, n_c, mean_t, mean_c, difference, None, None, confidence, None)
    if n_t < max(2, min_group) or n_c < max(2, min_group):
        return unknown
    var_t = float(treated.var(ddof=1))
    var_c = float(control.var(ddof=1))
    se_t, se_c = var_t / n_t, var_c / n_c
    se2 = se_t + se_c
    if se2 <= 0:
        return unknown
    dof = se2**2 / (se_t**2 / (n_t - 1) + se_c**2 / (n_c - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, dof)) * math.sqrt(se2)
    low, high = difference - half, difference + half
    needed: float | None = None
    if low <= 0 <= high:
        if difference == 0:
            needed = math.inf
        else:
            share = n_c / (n_t + n_c)
            z = float(stats.norm.ppf(0.5 + confidence / 2))
            total = z**2 * (var_t / (1 - share) + var_c / share) / difference**2
            needed = max(1.0, math.ceil(total) - (n_t + n_c))
    return Uplift(n_t, n_c, mean_t, mean_c, difference, low, high, confidence, needed)
