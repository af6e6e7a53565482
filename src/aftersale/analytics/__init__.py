"""Customer-value analytics for web shops, free of any web framework.

Purchase models (BG/NBD, Pareto/NBD, Gamma-Gamma), purchase summaries, RFM, revenue and margin
after returns, cohort retention, per-product return statistics, and the one-call
:func:`score_customers` pipeline behind ``aftersale analyze``. See docs/analytics.md.
"""

from aftersale.analytics.clv import (
    BetaGeoModel,
    BetaGeoParams,
    ConvergenceError,
    GammaGammaModel,
    GammaGammaParams,
    ParetoNBDModel,
    ParetoNBDParams,
    simulate_bgnbd,
    simulate_paretonbd,
)
from aftersale.analytics.cohorts import CohortRetention, cohort_retention
from aftersale.analytics.datasets import load_cdnow_sample, load_cdnow_summary
from aftersale.analytics.net_value import (
    CustomerNetValue,
    ReturnerThresholds,
    customer_net_value,
    net_value_of_orders,
)
from aftersale.analytics.orders import OrderLines, OrderTotals, Returns
from aftersale.analytics.products import ProductReturns, product_returns
from aftersale.analytics.rfm import RfmScores, quintile_scores, rfm_scores
from aftersale.analytics.scoring import CustomerScores, score_customers
from aftersale.analytics.summary import (
    CalibrationHoldout,
    CustomerSummary,
    split_calibration_holdout,
    summarize_purchases,
)

__all__ = [
    "BetaGeoModel",
    "BetaGeoParams",
    "CalibrationHoldout",
    "CohortRetention",
    "ConvergenceError",
    "CustomerNetValue",
    "CustomerScores",
    "CustomerSummary",
    "GammaGammaModel",
    "GammaGammaParams",
    "OrderLines",
    "OrderTotals",
    "ParetoNBDModel",
    "ParetoNBDParams",
    "ProductReturns",
    "Returns",
    "ReturnerThresholds",
    "RfmScores",
    "cohort_retention",
    "customer_net_value",
    "load_cdnow_sample",
    "load_cdnow_summary",
    "net_value_of_orders",
    "product_returns",
    "quintile_scores",
    "rfm_scores",
    "score_customers",
    "simulate_bgnbd",
    "simulate_paretonbd",
    "split_calibration_holdout",
    "summarize_purchases",
]
