"""Fast scalar random draws, seeded from a NumPy Generator.

The simulator makes a few million small decisions in Python loops; calling the Generator once
per decision would dominate its run time. Uniforms come from a Mersenne Twister
(``random.Random``, whose ``random()`` sequence is stable across Python versions) seeded from
the Generator, normals from the Generator in large blocks. The sequence depends only on the
seed, so the data is reproducible.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

import numpy as np

BLOCK = 1 << 16


class Draws:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        # A uniform draw from [0, 1): the C method itself, to keep the per-draw cost tiny.
        self.random = random.Random(int(rng.integers(0, 2**63))).random
        self._normals: list[float] = []

    def normal(self, mean: float = 0.0, sd: float = 1.0) -> float:
        if not self._normals:
            self._normals = self.rng.standard_normal(BLOCK).tolist()
        return mean + sd * self._normals.pop()

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def integer(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high - 1``."""
        return low + int(self.random() * (high - low))

    def exponential(self, mean: float) -> float:
        return -mean * math.log(1.0 - self.random())

    def chance(self, probability: float) -> bool:
        return self.random() < probability

    def pick(self, items: Sequence):
        return items[int(self.random() * len(items))]

    def index(self, cumulative: Sequence[float]) -> int:
        """An index drawn with the weights whose running totals are ``cumulative``."""
        return min(bisect_right(cumulative, self.random() * cumulative[-1]), len(cumulative) - 1)

    def weighted(self, choices: Weighted):
        return choices.values[self.index(choices.cumulative)]


class Weighted:
    """Values with weights, ready for ``Draws.weighted``."""

    __slots__ = ("values", "cumulative")

    def __init__(self, pairs: Sequence[tuple[object, float]]) -> None:
        self.values = [value for value, _ in pairs]
        self.cumulative = cumulative([weight for _, weight in pairs])


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))
