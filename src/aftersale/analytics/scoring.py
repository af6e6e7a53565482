"""Score every customer of a shop in one call: the pipeline behind reports and snapshots.

Steps: purchase histories (:mod:`~aftersale.analytics.summary`), money after returns
(:mod:`~aftersale.analytics.net_value`), a purchase model (BG/NBD or Pareto/NBD) and the
Gamma-Gamma spend model, then P(alive), expected purchases, expected spend, CLV and RFM.

**Net CLV.** The Gamma-Gamma model forecasts what a customer will *order*; what the shop keeps
is less. Each customer's CLV is therefore multiplied by their net margin ratio (net margin /
gross revenue), shrunk towards the shop's overall ratio with the weight of ``prior_orders``
average orders, so one return by a new customer does not make them look worthless:

.. math:: \\rho_i = \\frac{\\text{net margin}_i + k\\,\\bar o\\,\\rho_{shop}}
                         {\\text{gross revenue}_i + k\\,\\bar o}

where :math:`\\bar o` is the average order value and :math:`k` = ``prior_orders``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from aftersale.analytics.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel
from aftersale.analytics.clv._fitting import ConvergenceError
from aftersale.analytics.clv.gammagamma import PERIODS_PER_MONTH
from aftersale.analytics.identifiers import index_of
from aftersale.analytics.net_value import CustomerNetValue, ReturnerThresholds, net_value_of_orders
from aftersale.analytics.orders import OrderLines, OrderTotals, Returns
from aftersale.analytics.rfm import RfmScores, rfm_scores
from aftersale.analytics.summary import CustomerSummary, TimeUnit, summarize_purchases, to_days

FloatArray = npt.NDArray[np.float64]
ModelName = Literal["bgnbd", "paretonbd"]

#: Penalty used when the data cannot identify a model without one (as lifetimes advises).
FALLBACK_PENALIZER = 0.01

#: The steps of :func:`score_customers`, in order; ``progress`` is called after each.
SCORING_STEPS = (
    "Customer histories",
    "Value after returns",
    "Purchase model",
    "Spend model",
    "CLV",
    "RFM segments",
)


@dataclass(frozen=True)
class CustomerScores:
    """Everything known and predicted about each customer, aligned with ``customer_id``.

    Attributes
    ----------
    summary : CustomerSummary
        Frequency, recency, T, monetary value, first and last purchase day.
    value : CustomerNetValue
        Gross / net revenue and margin, return rate, value segment.
    rfm : RfmScores
        RFM scores and segment.
    p_alive : ndarray
        Probability the customer is still active (NaN if the model could not be fitted).
    expected_purchases : ndarray
        Expected purchases in the next ``horizon_months``.
    expected_spend : ndarray
        Expected value of a future purchase (Gamma-Gamma).
    clv : ndarray
        Discounted net CLV over ``horizon_months`` (see the module docstring).
    clv_gross : ndarray
        The same CLV before returns and costs (``lifetimes``' definition).
    notes : list of str
        Anything the reader should know (e.g. a model that could not be fitted).
    timings : list of (str, float)
        Seconds taken by each of :data:`SCORING_STEPS`.
    """

    customer_id: npt.NDArray[np.generic]
    summary: CustomerSummary
    value: CustomerNetValue
    rfm: RfmScores
    p_alive: FloatArray
    expected_purchases: FloatArray
    expected_spend: FloatArray
    clv: FloatArray
    clv_gross: FloatArray
    observation_end: np.datetime64
    horizon_months: int
    purchase_model: BetaGeoModel | ParetoNBDModel
    spend_model: GammaGammaModel | None
    notes: list[str] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.customer_id.size)


def score_customers(
    orders: OrderLines,
    returns: Returns | None = None,
    *,
    model: ModelName = "bgnbd",
    observation_end: dt.date | str | np.datetime64 | None = None,
    time_unit: TimeUnit = "W",
    horizon_months: int = 12,
    discount_rate: float = 0.01,
    default_margin_rate: float = 1.0,
    prior_orders: float = 2.0,
    thresholds: ReturnerThresholds | None = None,
    penalizer_coef: float = 0.0,
    progress: Callable[[str], None] | None = None,
) -> CustomerScores:
    """Fit the models on a shop's orders and score every customer.

    Parameters
    ----------
    orders, returns : OrderLines, Returns
        The shop's order lines and returns.
    model : {"bgnbd", "paretonbd"}
        Purchase model.
    observation_end : date, optional
        Analysis date; later orders are ignored. Defaults to the last order day.
    time_unit : {"D", "W", "M"}
        Model time unit (weeks by default, as in the literature).
    horizon_months, discount_rate : int, float
        CLV horizon and monthly discount rate.
    default_margin_rate : float
        Gross margin rate where the cost of goods is unknown.
    prior_orders : float
        Weight (in average orders) of the shop's net margin ratio in each customer's ratio.
    thresholds : ReturnerThresholds, optional
        Serial-returner thresholds.
    penalizer_coef : float
        L2 penalty for the purchase and spend models (0 = maximum likelihood).
    progress : callable, optional
        Called with the name of each of :data:`SCORING_STEPS` when it is done.
    """
    notes: list[str] = []
    timings: list[tuple[str, float]] = []
    clock = [time.perf_counter()]

    def done(step: str) -> None:
        now = time.perf_counter()
        timings.append((step, now - clock[0]))
        clock[0] = now
        if progress is not None:
            progress(step)

    end_day = (
        np.datetime64(orders.ordered_at.max(), "D")
        if observation_end is None
        else np.datetime64(to_days(np.asarray([observation_end]))[0], "D")
    )
    orders, returns = orders_until(orders, returns, end_day)
    totals = OrderTotals.from_lines(orders, default_margin_rate)
    summary = summarize_purchases(
        totals.customer, totals.ordered_at, totals.amount, observation_end=end_day,
        time_unit=time_unit,
    )  # fmt: skip
    summary = replace(summary, customer_id=totals.customer_id[summary.customer_id])
    done(SCORING_STEPS[0])
    value = net_value_of_orders(totals, returns, thresholds=thresholds)
    done(SCORING_STEPS[1])
    x, t_x, age, m = summary.frequency, summary.recency, summary.T, summary.monetary_value
    n = len(summary)
    purchase_model: BetaGeoModel | ParetoNBDModel = (
        BetaGeoModel(penalizer_coef) if model == "bgnbd" else ParetoNBDModel(penalizer_coef)
    )
    horizon = horizon_months * PERIODS_PER_MONTH[time_unit]
    try:
        if np.count_nonzero(x > 0) < 2:
            raise ConvergenceError("fewer than two customers bought more than once")
        try:
            purchase_model.fit(x, t_x, age)
        except ConvergenceError:
            if penalizer_coef >= FALLBACK_PENALIZER:
                raise
            purchase_model.penalizer_coef = FALLBACK_PENALIZER
            purchase_model.fit(x, t_x, age)
            notes.append(
                "The purchase data could not identify every model parameter (typically: too "
                f"little history to see customers drop out), so a penalty of {FALLBACK_PENALIZER}"
                " was used; treat P(alive) and CLV as rough."
            )
        p_alive = purchase_model.p_alive(x, t_x, age)
        expected = purchase_model.expected_purchases(horizon, x, t_x, age)
        if not (np.all(np.isfinite(p_alive)) and np.all(np.isfinite(expected))):
            raise ConvergenceError("the fitted model gives non-finite predictions")
    except (ConvergenceError, ValueError) as error:
        notes.append(f"The purchase model could not be fitted ({error}); no predictions.")
        p_alive = np.full(n, np.nan)
        expected = np.full(n, np.nan)
    done(SCORING_STEPS[2])

    spend_model: GammaGammaModel | None = GammaGammaModel(penalizer_coef)
    buyers = (x > 0) & (m > 0)
    try:
        if np.count_nonzero(buyers) < 3:
            raise ConvergenceError("fewer than three repeat buyers")
        assert spend_model is not None
        try:
            spend_model.fit(x[buyers], m[buyers])
        except ConvergenceError:
            if penalizer_coef >= FALLBACK_PENALIZER:
                raise
            spend_model.penalizer_coef = FALLBACK_PENALIZER
            spend_model.fit(x[buyers], m[buyers])
        assert spend_model.params_ is not None
        if spend_model.params_.q <= 1:
            raise ConvergenceError("the spend model has no finite mean (q <= 1)")
        spend = spend_model.expected_spend(x, m)
    except (ConvergenceError, ValueError) as error:
        notes.append(f"The spend model could not be fitted ({error}); using average order values.")
        spend_model = None
        spend = np.where(x > 0, m, float(np.mean(value.gross_revenue / value.orders)))
    done(SCORING_STEPS[3])

    ratio = _net_margin_ratio(value, prior_orders)
    if np.all(np.isnan(expected)):
        clv_gross = np.full(n, np.nan)
    elif spend_model is not None:
        clv_gross = spend_model.clv(
            purchase_model, x, t_x, age, m,
            horizon_months=horizon_months, discount_rate=discount_rate, time_unit=time_unit,
        )  # fmt: skip
    else:
        clv_gross = spend * expected
    done(SCORING_STEPS[4])
    days_since = (np.asarray(end_day) - summary.last_purchase).astype(np.int64)
    rfm = rfm_scores(days_since, x + 1, value.net_revenue)
    done(SCORING_STEPS[5])
    return CustomerScores(
        customer_id=summary.customer_id,
        summary=summary,
        value=value,
        rfm=rfm,
        p_alive=p_alive,
        expected_purchases=expected,
        expected_spend=spend,
        clv=clv_gross * ratio,
        clv_gross=clv_gross,
        observation_end=end_day,
        horizon_months=horizon_months,
        purchase_model=purchase_model,
        spend_model=spend_model,
        notes=notes,
        timings=timings,
    )


def _net_margin_ratio(value: CustomerNetValue, prior_orders: float) -> FloatArray:
    gross_total = float(value.gross_revenue.sum())
    if gross_total <= 0:
        return np.zeros(len(value))
    shop_ratio = float(value.net_margin.sum()) / gross_total
    prior = prior_orders * gross_total / float(value.orders.sum())
    return np.asarray(
        (value.net_margin + prior * shop_ratio) / (value.gross_revenue + prior), dtype=np.float64
    )


def orders_until(
    orders: OrderLines, returns: Returns | None, end_day: np.datetime64
) -> tuple[OrderLines, Returns | None]:
    """Drop orders after ``end_day`` and the returns that belong to them."""
    keep = orders.ordered_at <= end_day
    if np.all(keep):
        return orders, returns
    kept = OrderLines(
        order_id=orders.order_id[keep],
        customer_id=orders.customer_id[keep],
        ordered_at=orders.ordered_at[keep],
        amount=orders.amount[keep],
        cost=orders.cost[keep],
        sku=None if orders.sku is None else orders.sku[keep],
        quantity=orders.quantity[keep] if orders.quantity.size else orders.quantity,
    )
    if returns is None or len(returns) == 0:
        return kept, returns
    _, found = index_of(returns.order_id, np.unique(kept.order_id))
    back = Returns(
        order_id=returns.order_id[found],
        amount=returns.amount[found],
        shipping_cost=returns.shipping_cost[found],
        unclaimed=returns.unclaimed[found],
        unclaimed_cost=returns.unclaimed_cost[found],
        sku=None if returns.sku is None else returns.sku[found],
        reason=None if returns.reason is None else returns.reason[found],
        quantity=returns.quantity[found] if returns.quantity.size else returns.quantity,
    )
    return kept, back
