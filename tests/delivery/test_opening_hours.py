"""Opening hours from registry files, and whether a point is open when the customer goes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersale.delivery.opening_hours import (
    OpeningHoursError,
    format_opening_hours,
    is_open_at,
    parse_opening_hours,
)
from aftersale.delivery.pickup_points import is_open
from tests.factories import PickupPointFactory


def test_it_reads_the_compact_text_form():
    hours = parse_opening_hours("mon-fri 08:00-21:00; sat 10:00-18:00; sun closed")

    assert hours == {
        "mon": [["08:00", "21:00"]],
        "tue": [["08:00", "21:00"]],
        "wed": [["08:00", "21:00"]],
        "thu": [["08:00", "21:00"]],
        "fri": [["08:00", "21:00"]],
        "sat": [["10:00", "18:00"]],
        "sun": [],
    }


def test_it_reads_lunch_breaks_day_lists_round_the_clock_and_finnish_days():
    hours = parse_opening_hours("ma,ke 7.00-11.00, 12:00-16:00; ti 24h; la-su 22:00-02:00")

    assert hours["mon"] == [["07:00", "11:00"], ["12:00", "16:00"]]
    assert hours["wed"] == hours["mon"]
    assert hours["tue"] == [["00:00", "24:00"]]
    assert hours["sat"] == hours["sun"] == [["22:00", "02:00"]]
    assert hours["thu"] == hours["fri"] == []


def test_it_gives_no_hours_for_empty_text():
    assert parse_opening_hours("") == {}
    assert parse_opening_hours("   ") == {}


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("monday 08:00-21:00", "not a weekday"),
        ("mon-fri 8-21", "expected hours"),
        ("mon-fri 25:00-26:00", "not a time of day"),
        ("08:00-21:00", "expected days and hours"),
    ],
)
def test_it_says_what_is_wrong_with_bad_hours(text, complaint):
    with pytest.raises(OpeningHoursError, match=complaint):
        parse_opening_hours(text)


def test_it_writes_the_hours_back_as_text():
    text = "mon-fri 08:00-21:00; sat 10:00-18:00; sun closed"
    assert format_opening_hours(parse_opening_hours(text)) == text


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 11, 23, 7, 59), False),  # Monday before opening
        (datetime(2026, 11, 23, 8, 0), True),
        (datetime(2026, 11, 23, 20, 59), True),
        (datetime(2026, 11, 23, 21, 0), False),  # closing time is closed
        (datetime(2026, 11, 29, 12, 0), False),  # Sunday
        (datetime(2026, 11, 28, 23, 30), True),  # Saturday night shift
        (datetime(2026, 11, 29, 1, 30), True),  # ... running past midnight into Sunday
        (datetime(2026, 11, 29, 2, 30), False),
    ],
)
def test_it_knows_when_a_point_is_open(local, expected):
    hours = parse_opening_hours("mon-fri 08:00-21:00; sat 22:00-02:00; sun closed")
    assert is_open_at(hours, local) is expected


def test_it_reads_the_time_in_the_shops_time_zone(db):
    point = PickupPointFactory(opening_hours=parse_opening_hours("mon-fri 08:00-21:00"))
    # 06:30 UTC is 08:30 in Helsinki (UTC+2 in November).
    monday_morning = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)

    assert is_open(point, monday_morning)
    assert not is_open(point, monday_morning, time_zone="UTC")


def test_it_treats_a_closed_point_as_never_open_and_unknown_hours_as_open(db):
    at = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert not is_open(PickupPointFactory(active=False), at)
    assert is_open(PickupPointFactory(opening_hours={}), at)
