"""Business hours: when the desk is open, when it opens next, and targets counted in open time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersale.service import services
from aftersale.service.hours import business_calendar, opening_status
from aftersale.service.models import OpeningHours, ShopClosedDay, SupportSettings
from tests.factories import ShopFactory

HELSINKI = ZoneInfo("Europe/Helsinki")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(*args, zone=HELSINKI) -> datetime:
    return datetime(*args, tzinfo=zone)


@pytest.fixture
def shop(db):
    """Mon–Fri 9–17 (the default), Helsinki, Finnish holidays."""
    return ShopFactory(country="FI", time_zone="Europe/Helsinki")


def test_it_is_open_inside_the_default_weekday_hours(shop):
    calendar = business_calendar(shop)
    assert calendar.is_open(local(2026, 12, 1, 9, 0))  # Tuesday
    assert calendar.is_open(local(2026, 12, 1, 16, 59))
    assert not calendar.is_open(local(2026, 12, 1, 17, 0))
    assert not calendar.is_open(local(2026, 12, 1, 8, 59))
    assert not calendar.is_open(local(2026, 12, 5, 12, 0))  # Saturday


def test_it_answers_the_same_for_utc_input(shop):
    calendar = business_calendar(shop)
    assert calendar.is_open(datetime(2026, 12, 1, 7, 30, tzinfo=ZoneInfo("UTC")))  # 9:30 local
    with pytest.raises(ValueError):
        calendar.is_open(datetime(2026, 12, 1, 9, 30))  # noqa: DTZ001 - naive on purpose


def test_a_friday_evening_opens_next_on_monday_morning(shop):
    calendar = business_calendar(shop)
    friday_evening = local(2026, 11, 27, 18, 0)
    assert calendar.next_opening(friday_evening) == local(2026, 11, 30, 9, 0)
    assert calendar.next_opening(local(2026, 11, 30, 10, 0)) == local(2026, 11, 30, 10, 0)


def test_targets_skip_the_weekend(shop):
    calendar = business_calendar(shop)
    friday_afternoon = local(2026, 11, 27, 15, 0)
    due = calendar.add_business_time(friday_afternoon, timedelta(hours=8))
    assert due == local(2026, 11, 30, 15, 0)  # two hours on Friday, six on Monday
    assert calendar.business_time_between(friday_afternoon, due) == timedelta(hours=8)
    # A message sent on Saturday waits for Monday morning before the clock runs.
    saturday = local(2026, 11, 28, 11, 0)
    assert calendar.add_business_time(saturday, timedelta(hours=1)) == local(2026, 11, 30, 10, 0)
    assert calendar.business_time_between(saturday, local(2026, 11, 30, 9, 0)) == timedelta(0)


def test_finnish_independence_day_is_closed(shop):
    calendar = business_calendar(shop)
    # 6 December 2027 is a Monday: Friday 16:00 + 2 h runs into Tuesday.
    assert not calendar.is_open(local(2027, 12, 6, 12, 0))
    friday = local(2027, 12, 3, 16, 0)
    assert calendar.next_opening(local(2027, 12, 3, 18, 0)) == local(2027, 12, 7, 9, 0)
    assert calendar.add_business_time(friday, timedelta(hours=2)) == local(2027, 12, 7, 10, 0)
    assert calendar.business_time_between(friday, local(2027, 12, 7, 17, 0)) == timedelta(hours=9)


def test_finnish_midsummer_eve_and_day_are_closed(shop):
    calendar = business_calendar(shop)
    # Midsummer 2026: Eve on Friday 19 June, Day on Saturday 20 June.
    assert calendar.closed_reason(date(2026, 6, 19))
    assert not calendar.is_open(local(2026, 6, 19, 10, 0))
    thursday = local(2026, 6, 18, 16, 0)
    assert calendar.add_business_time(thursday, timedelta(hours=2)) == local(2026, 6, 22, 10, 0)


def test_swedish_holidays_close_a_swedish_shop(db):
    shop = ShopFactory(country="SE", time_zone="Europe/Stockholm")
    calendar = business_calendar(shop)
    # Sweden's National Day, 6 June 2025, a Friday; Finland works that day.
    assert not calendar.is_open(local(2025, 6, 6, 10, 0, zone=STOCKHOLM))
    assert calendar.next_opening(local(2025, 6, 5, 18, 0, zone=STOCKHOLM)) == local(
        2025, 6, 9, 9, 0, zone=STOCKHOLM
    )
    assert business_calendar(ShopFactory(country="FI")).is_open(local(2025, 6, 6, 10, 0))


def test_a_shop_serving_both_countries_closes_on_either_countrys_holidays(shop):
    services.save_support_settings(
        shop, first_response_hours=8, resolution_hours=40, holiday_countries=["FI", "SE"]
    )
    calendar = business_calendar(shop)
    assert not calendar.is_open(local(2025, 6, 6, 10, 0))  # Swedish National Day
    assert calendar.is_open(local(2025, 12, 8, 10, 0))  # an ordinary Monday
    assert not calendar.is_open(local(2025, 12, 8, 20, 0))


def test_the_shops_own_closed_days_count(shop):
    ShopClosedDay.objects.create(shop=shop, date=date(2026, 12, 2), name="Inventory")
    calendar = business_calendar(shop)
    assert calendar.closed_reason(date(2026, 12, 2)) == "Inventory"
    assert not calendar.is_open(local(2026, 12, 2, 12, 0))
    assert calendar.next_opening(local(2026, 12, 1, 18, 0)) == local(2026, 12, 3, 9, 0)


def test_several_intervals_a_day_leave_the_lunch_break_out(shop):
    services.save_opening_hours(
        shop,
        {day: [(time(9), time(12)), (time(13), time(17))] for day in range(5)},
    )
    calendar = business_calendar(shop)
    assert calendar.is_open(local(2026, 12, 1, 11, 59))
    assert not calendar.is_open(local(2026, 12, 1, 12, 30))
    assert calendar.next_opening(local(2026, 12, 1, 12, 30)) == local(2026, 12, 1, 13, 0)
    start = local(2026, 12, 1, 11, 0)
    assert calendar.add_business_time(start, timedelta(hours=2)) == local(2026, 12, 1, 14, 0)
    assert calendar.business_time_between(start, local(2026, 12, 1, 14, 0)) == timedelta(hours=2)


def test_an_interval_until_midnight(shop):
    services.save_opening_hours(shop, {5: [(time(18), time(0))]})
    calendar = business_calendar(shop)
    assert calendar.is_open(local(2026, 12, 5, 23, 59))
    assert calendar.add_business_time(local(2026, 12, 5, 23, 0), timedelta(hours=2)) == local(
        2026, 12, 12, 19, 0
    )


def test_a_business_hour_is_sixty_real_minutes_across_the_spring_change(db):
    # Sunday 29 March 2026 the clocks go from 03:00 to 04:00 in Helsinki.
    shop = ShopFactory(country="FI")
    services.save_opening_hours(shop, {6: [(time(0), time(0))]})  # open all Sunday
    calendar = business_calendar(shop)
    start = local(2026, 3, 29, 2, 0)
    end = calendar.add_business_time(start, timedelta(hours=2))
    assert end == local(2026, 3, 29, 5, 0)  # wall clock jumps an hour
    assert calendar.business_time_between(local(2026, 3, 29, 0, 0), local(2026, 3, 30, 0, 0)) == (
        timedelta(hours=23)
    )


def test_autumn_change_keeps_local_opening_times(shop):
    # Sunday 25 October 2026 the clocks go back; Monday still opens at 9:00 local time.
    calendar = business_calendar(shop)
    opening = calendar.next_opening(local(2026, 10, 23, 18, 0))
    assert opening == local(2026, 10, 26, 9, 0)
    assert opening.utcoffset() == timedelta(hours=2)
    assert calendar.business_time_between(local(2026, 10, 23, 9, 0), opening) == timedelta(hours=8)


def test_no_stated_hours_count_around_the_clock_less_holidays(shop):
    shop.opening_hours = {}
    shop.save()
    calendar = business_calendar(shop)
    assert calendar.is_open(local(2026, 12, 5, 3, 0))
    assert not calendar.is_open(local(2026, 12, 6, 3, 0))  # Independence Day
    status = opening_status(shop, local(2026, 12, 5, 3, 0), "en")
    assert status.status == ""
    assert status.answer_time == "We answer within 8 business hours."


def test_shop_opening_hours_json_is_the_default(shop):
    shop.opening_hours = {"sat": [["10:00", "14:00"]], "fri": [["22:00", "02:00"]]}
    shop.save()
    calendar = business_calendar(shop)
    assert calendar.is_open(local(2026, 12, 5, 11, 0))
    assert calendar.is_open(local(2026, 12, 5, 1, 0))  # Friday's night shift
    assert not calendar.is_open(local(2026, 12, 1, 11, 0))
    services.save_opening_hours(shop, {1: [(time(10), time(11))]})
    assert business_calendar(shop).is_open(local(2026, 12, 1, 10, 30))
    assert not business_calendar(shop).is_open(local(2026, 12, 5, 11, 0))


class TestOpeningStatus:
    def test_closed_on_a_weekend_in_three_languages(self, shop):
        saturday = local(2026, 12, 5, 12, 0)
        en = opening_status(shop, saturday, "en")
        assert not en.is_open
        assert en.next_opening == local(2026, 12, 7, 9, 0)
        assert en.text == "We answer within 1 business day. Closed now, back Monday at 9:00."
        fi = opening_status(shop, saturday, "fi")
        assert fi.text == (
            "Vastaamme 1 arkipäivän kuluessa. Suljettu nyt, palaamme maanantaina klo 9.00."
        )
        sv = opening_status(shop, saturday, "sv")
        assert sv.text == "Vi svarar inom 1 arbetsdag. Stängt nu, tillbaka på måndag kl. 9.00."

    def test_open_now(self, shop):
        status = opening_status(shop, local(2026, 12, 1, 10, 0), "en")
        assert status.is_open
        assert status.status == "Open now until 17:00."

    def test_back_later_today_and_tomorrow(self, shop):
        assert opening_status(shop, local(2026, 12, 1, 7, 0), "en").status == (
            "Closed now, back today at 9:00."
        )
        assert opening_status(shop, local(2026, 12, 1, 18, 0), "en").status == (
            "Closed now, back tomorrow at 9:00."
        )

    def test_long_closures_name_the_date(self, shop):
        for day in range(2, 12):
            ShopClosedDay.objects.create(shop=shop, date=date(2026, 12, day))
        status = opening_status(shop, local(2026, 12, 1, 18, 0), "en")
        assert status.next_opening == local(2026, 12, 14, 9, 0)
        assert status.status.startswith("Closed now, back on ")
        assert "14" in status.status

    def test_targets_in_hours_when_not_whole_days(self, shop):
        SupportSettings.objects.create(shop=shop, first_response_hours=4, resolution_hours=16)
        status = opening_status(shop, local(2026, 12, 1, 10, 0), "en")
        assert status.answer_time == "We answer within 4 business hours."
        SupportSettings.objects.filter(shop=shop).update(first_response_hours=16)
        status = opening_status(shop, local(2026, 12, 1, 10, 0), "en")
        assert status.answer_time == "We answer within 2 business days."


class TestSavingHours:
    def test_it_refuses_overlapping_intervals(self, shop):
        with pytest.raises(services.HoursError, match="Monday"):
            services.save_opening_hours(shop, {0: [(time(9), time(12)), (time(11), time(15))]})
        assert not OpeningHours.objects.for_shop(shop).exists()

    def test_it_refuses_an_interval_ending_before_it_starts(self, shop):
        with pytest.raises(services.HoursError, match="Tuesday"):
            services.save_opening_hours(shop, {1: [(time(17), time(9))]})

    def test_it_refuses_unknown_countries(self, shop):
        with pytest.raises(services.HoursError, match="XX"):
            services.save_support_settings(
                shop, first_response_hours=8, resolution_hours=40, holiday_countries=["XX"]
            )
        assert not SupportSettings.objects.for_shop(shop).exists()

    def test_hours_of_one_shop_leave_another_alone(self, shop):
        other = ShopFactory()
        services.save_opening_hours(shop, {0: [(time(8), time(10))]})
        assert not OpeningHours.objects.for_shop(other).exists()
        assert business_calendar(other).is_open(local(2026, 12, 1, 12, 0))
