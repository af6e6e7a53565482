"""Rating-weighted product order: a Bayesian average, so that one 5-star review does not
outrank forty reviews averaging 4.7.

score = (C·m + Σ ratings) / (C + n)

where n is the product's number of published ratings, m the shop's mean published rating
(the prior: what a product with no reviews is assumed to be) and C the prior's weight in
reviews (``PRIOR_WEIGHT``, 5 by default: a product needs about five reviews before its own
average counts as much as the shop's). A product without reviews scores m.
"""

from __future__ import annotations

PRIOR_WEIGHT = 5.0


def bayesian_average(
    rating_sum: float, rating_count: int, *, prior_mean: float, prior_weight: float = PRIOR_WEIGHT
) -> float:
    """The product's score on the rating scale."""
    if rating_count < 0 or prior_weight < 0:
        raise ValueError("counts and weights are not negative")
    if rating_count == 0 and prior_weight == 0:
        return prior_mean
    return (prior_weight * prior_mean + rating_sum) / (prior_weight + rating_count)
