"""Shared fixtures for the analytics library tests (plain pytest, no Django)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "analytics"

try:  # the project installs the package; a bare checkout runs from src/
    import aftersale.analytics  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(ROOT / "src"))

from aftersale.analytics.datasets import CdnowSummary, load_cdnow_summary  # noqa: E402


@pytest.fixture(scope="session")
def cdnow() -> CdnowSummary:
    return load_cdnow_summary()


@pytest.fixture(scope="session")
def lifetimes_reference() -> dict[str, Any]:
    with open(FIXTURES / "lifetimes_cdnow_reference.json") as handle:
        data: dict[str, Any] = json.load(handle)
    return data
