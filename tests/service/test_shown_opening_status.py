"""The opening status every portal page shows is read from the shared cache, and is never stale:
it is worked out again when the desk opens or closes, when the day turns and when hours change."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from aftersale.service import services
from aftersale.service.hours import shown_opening_status
from aftersale.service.models import OpeningHours
from tests.factories import ShopFactory

HELSINKI = ZoneInfo("Europe/Helsinki")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)


@pytest.fixture
def shop(db):
    cache.clear()
    return ShopFactory(country="FI", time_zone="Europe/Helsinki")


def test_a_second_page_reads_the_status_without_asking_the_database_for_hours(
    shop, django_assert_max_num_queries
):
    tuesday = local(2026, 12, 1, 10, 0)
    with time_machine.travel(tuesday, tick=False):
        first = shown_opening_status(shop, tuesday, "en")
        # The database cache answers in one query; the hours, closed days and targets need three.
        with django_assert_max_num_queries(1):
            again = shown_opening_status(shop, tuesday, "en")
    assert again == first
    assert first.status == "Open now until 17:00."


def test_saving_hours_shows_the_new_hours_at_once(shop, django_capture_on_commit_callbacks):
    tuesday = local(2026, 12, 1, 10, 0)
    with time_machine.travel(tuesday, tick=False):
        assert shown_opening_status(shop, tuesday, "en").status == "Open now until 17:00."
        with django_capture_on_commit_callbacks(execute=True):
            services.save_opening_hours(shop, {1: [(time(8, 0), time(12, 0))]})
        assert shown_opening_status(shop, tuesday, "en").status == "Open now until 12:00."


def test_a_closed_day_added_today_closes_the_desk_at_once(shop, django_capture_on_commit_callbacks):
    tuesday = local(2026, 12, 1, 10, 0)
    with time_machine.travel(tuesday, tick=False):
        assert shown_opening_status(shop, tuesday, "en").is_open
        with django_capture_on_commit_callbacks(execute=True):
            services.add_closed_day(shop, date(2026, 12, 1), "Stocktaking")
        assert not shown_opening_status(shop, tuesday, "en").is_open


def test_the_status_changes_when_the_desk_closes(shop):
    before_closing = local(2026, 12, 1, 16, 59)
    with time_machine.travel(before_closing, tick=False):
        assert shown_opening_status(shop, before_closing, "en").is_open
    # A change written past the services (so nothing is forgotten) still shows once the cached
    # answer's own end has come: the desk's closing time.
    OpeningHours.objects.for_shop(shop).delete()
    after_closing = local(2026, 12, 1, 17, 1)
    with time_machine.travel(after_closing, tick=False):
        status = shown_opening_status(shop, after_closing, "en")
    assert not status.is_open
    assert status.status == "Closed now, back tomorrow at 9:00."


def test_each_language_and_shop_has_its_own_answer(shop):
    other = ShopFactory(country="FI", time_zone="Europe/Helsinki")
    services.save_opening_hours(other, {1: [(time(12, 0), time(14, 0))]})
    tuesday = local(2026, 12, 1, 10, 0)
    with time_machine.travel(tuesday, tick=False):
        english = shown_opening_status(shop, tuesday, "en")
        finnish = shown_opening_status(shop, tuesday, "fi")
        elsewhere = shown_opening_status(other, tuesday, "en")
    assert english.text != finnish.text
    assert english.is_open and not elsewhere.is_open
