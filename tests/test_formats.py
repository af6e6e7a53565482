"""Dates read the Nordic way in every language: day before month, 24-hour clock."""

from datetime import UTC, datetime

import pytest
from django.utils import formats, translation

MOMENT = datetime(2026, 11, 2, 15, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "language, expected",
    [("en", "2 Nov 2026, 15:05"), ("fi", "2.11.2026 15.05"), ("sv", "2026-11-02 15:05")],
)
def test_short_datetimes(language, expected):
    with translation.override(language):
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == expected
