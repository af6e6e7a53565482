"""Buy-till-you-die models: BG/NBD, Pareto/NBD and Gamma-Gamma spend."""

from aftersale.analytics.clv._fitting import ConvergenceError
from aftersale.analytics.clv.bgnbd import BetaGeoModel, BetaGeoParams
from aftersale.analytics.clv.gammagamma import GammaGammaModel, GammaGammaParams
from aftersale.analytics.clv.paretonbd import ParetoNBDModel, ParetoNBDParams
from aftersale.analytics.clv.simulate import SimulatedHistories, simulate_bgnbd, simulate_paretonbd

__all__ = [
    "BetaGeoModel",
    "BetaGeoParams",
    "ConvergenceError",
    "GammaGammaModel",
    "GammaGammaParams",
    "ParetoNBDModel",
    "ParetoNBDParams",
    "SimulatedHistories",
    "simulate_bgnbd",
    "simulate_paretonbd",
]
