"""The Bayesian average behind the rating-weighted product order."""

import pytest

from aftersale.reviews.ranking import bayesian_average


def test_one_perfect_review_does_not_outrank_many_good_ones():
    one_five = bayesian_average(5, 1, prior_mean=4.0)
    forty_good = bayesian_average(40 * 4.7, 40, prior_mean=4.0)
    assert one_five < forty_good


def test_a_product_without_reviews_scores_the_shop_mean():
    assert bayesian_average(0, 0, prior_mean=4.2) == pytest.approx(4.2)


def test_many_reviews_approach_their_own_average():
    assert bayesian_average(1000 * 3.0, 1000, prior_mean=4.5) == pytest.approx(3.0, abs=0.01)


def test_the_formula_weights_the_prior_as_c_reviews():
    # (5 * 4 + 2 + 3) / (5 + 2) = 25 / 7
    assert bayesian_average(5, 2, prior_mean=4.0, prior_weight=5) == pytest.approx(25 / 7)
