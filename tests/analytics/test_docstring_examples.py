"""The examples in the library's docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "aftersale.analytics.clv.bgnbd",
    "aftersale.analytics.clv.paretonbd",
    "aftersale.analytics.clv.gammagamma",
    "aftersale.analytics.clv.simulate",
    "aftersale.analytics.cohorts",
    "aftersale.analytics.datasets",
    "aftersale.analytics.net_value",
    "aftersale.analytics.products",
    "aftersale.analytics.rfm",
    "aftersale.analytics.summary",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
