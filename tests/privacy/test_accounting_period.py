"""Accounting records are kept until the end of the calendar year in which their financial
period ended, plus the shop's years (Finnish Accounting Act 2:10), in the shop's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from aftersale.orders.models import Order, Payment
from aftersale.privacy.accounting import kept_until, period_end, removable_through
from aftersale.privacy.models import PrivacySettings
from aftersale.privacy.retention import apply_retention, preview_retention
from aftersale.privacy.services import erase_customer, update_privacy_settings
from tests.factories import CustomerFactory, OrderFactory, PaymentFactory


def settings_ending(month: int, day: int, years: int = 6) -> PrivacySettings:
    return PrivacySettings(
        financial_year_end_month=month, financial_year_end_day=day, accounting_years=years
    )


CALENDAR_YEAR = settings_ending(12, 31)
ENDS_IN_JUNE = settings_ending(6, 30)


@pytest.mark.parametrize(
    ("placed", "until"),
    [
        (date(2026, 1, 1), date(2032, 12, 31)),
        (date(2026, 12, 31), date(2032, 12, 31)),
        (date(2027, 1, 1), date(2033, 12, 31)),
    ],
)
def test_a_calendar_financial_year_keeps_six_years_after_its_end(placed, until):
    assert kept_until(CALENDAR_YEAR, placed) == until


@pytest.mark.parametrize(
    ("placed", "period", "until"),
    [
        (date(2026, 6, 30), date(2026, 6, 30), date(2032, 12, 31)),
        (date(2026, 7, 1), date(2027, 6, 30), date(2033, 12, 31)),
        (date(2026, 12, 31), date(2027, 6, 30), date(2033, 12, 31)),
        (date(2027, 1, 1), date(2027, 6, 30), date(2033, 12, 31)),
    ],
)
def test_a_financial_year_ending_in_june(placed, period, until):
    assert period_end(ENDS_IN_JUNE, placed) == period
    assert kept_until(ENDS_IN_JUNE, placed) == until


def test_the_last_day_of_february_in_a_year_without_the_29th():
    settings = settings_ending(2, 29)
    assert period_end(settings, date(2027, 2, 28)) == date(2027, 2, 28)
    assert period_end(settings, date(2027, 3, 1)) == date(2028, 2, 29)


def test_ten_years_for_books():
    assert kept_until(settings_ending(12, 31, years=10), date(2026, 5, 5)) == date(2036, 12, 31)


def test_what_may_go_today_is_every_period_ended_before_the_kept_years():
    assert removable_through(CALENDAR_YEAR, date(2033, 1, 1)) == date(2026, 12, 31)
    assert removable_through(CALENDAR_YEAR, date(2032, 12, 31)) == date(2025, 12, 31)
    assert removable_through(ENDS_IN_JUNE, date(2033, 1, 1)) == date(2026, 6, 30)


def erased_with_orders(shop, *placed_at: datetime):
    customer = CustomerFactory(shop=shop)
    for moment in placed_at:
        order = OrderFactory(shop=shop, customer=customer, placed_at=moment)
        PaymentFactory(order=order, amount_cents=order.total_cents)
    erase_customer(shop, customer)
    return customer


def due(shop, now: datetime) -> int:
    rows = {row["key"]: row for row in preview_retention(shop, None, now)}
    return rows["accounting_records"]["count"]


# 31 December 2026 23:30 and 1 January 2027 00:30 in Helsinki (UTC+2).
LAST_OF_2026 = datetime(2026, 12, 31, 21, 30, tzinfo=UTC)
FIRST_OF_2027 = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)


def test_the_order_day_is_the_shop_s_day(shop_a):
    shop = shop_a.shop
    erased_with_orders(shop, LAST_OF_2026, FIRST_OF_2027)

    assert due(shop, datetime(2032, 12, 31, 21, 59, tzinfo=UTC)) == 0  # 23:59 in Helsinki
    assert due(shop, datetime(2032, 12, 31, 22, 1, tzinfo=UTC)) == 1  # 2033 has begun
    assert due(shop, datetime(2033, 12, 31, 22, 1, tzinfo=UTC)) == 2

    done = apply_retention(shop, datetime(2033, 6, 1, tzinfo=UTC))
    assert done == {"accounting_records": 1}
    assert list(Order.objects.for_shop(shop).values_list("placed_at", flat=True)) == [FIRST_OF_2027]
    assert Payment.objects.for_shop(shop).count() == 1


def test_a_financial_year_ending_in_june_keeps_the_autumn_a_year_longer(shop_a):
    shop = shop_a.shop
    update_privacy_settings(shop, financial_year_end_month=6, financial_year_end_day=30)
    june = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
    july = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    erased_with_orders(shop, june, july)

    assert due(shop, datetime(2032, 12, 31, 12, 0, tzinfo=UTC)) == 0
    assert due(shop, datetime(2033, 1, 1, 12, 0, tzinfo=UTC)) == 1  # the period to June 2026
    assert due(shop, datetime(2033, 12, 31, 12, 0, tzinfo=UTC)) == 1
    assert due(shop, datetime(2034, 1, 1, 12, 0, tzinfo=UTC)) == 2


def test_only_erased_customers_records_go(shop_a):
    shop = shop_a.shop
    kept = CustomerFactory(shop=shop)
    OrderFactory(shop=shop, customer=kept, placed_at=LAST_OF_2026)
    erased_with_orders(shop, LAST_OF_2026)

    apply_retention(shop, datetime(2040, 1, 1, tzinfo=UTC))

    assert list(Order.objects.for_shop(shop).values_list("customer", flat=True)) == [kept.pk]


def test_the_settings_page_shows_the_dates_and_saves_the_financial_year(login, shop_a, clock):
    clock.move_to(datetime(2027, 3, 15, 10, 0, tzinfo=UTC))
    client = login(shop_a.owner)
    url = reverse("backoffice:privacy_settings")

    page = client.get(url)
    assert (
        b"Orders placed on or before 31 Dec 2020; an order placed today is kept until "
        b"31 Dec 2033." in page.content
    )

    form = {
        "accounting_years": 6,
        "financial_year_end_month": 6,
        "financial_year_end_day": 30,
        "message_body_months": 24,
        "return_photo_days": 90,
        "delivery_data_months": 24,
        "ticket_years": 3,
    }
    assert client.post(url, form).status_code == 302
    page = client.get(url)
    assert (
        b"Orders placed on or before 30 Jun 2020; an order placed today is kept until "
        b"31 Dec 2033." in page.content
    )


def test_a_day_the_month_does_not_have_is_refused(login, shop_a):
    client = login(shop_a.owner)
    form = {
        "accounting_years": 6,
        "financial_year_end_month": 4,
        "financial_year_end_day": 31,
    }
    page = client.post(reverse("backoffice:privacy_settings"), form)

    assert page.status_code == 400
    assert b"That month has no day 31: give the last day of the financial year." in page.content
    assert not PrivacySettings.objects.filter(shop=shop_a.shop).exists()


def test_the_erasure_page_and_the_customer_page_show_until_when_records_are_kept(
    login, shop_a, clock
):
    clock.move_to(datetime(2027, 3, 15, 10, 0, tzinfo=UTC))
    shop = shop_a.shop
    customer = CustomerFactory(shop=shop)
    OrderFactory(shop=shop, customer=customer, placed_at=LAST_OF_2026)
    OrderFactory(shop=shop, customer=customer, placed_at=FIRST_OF_2027)
    client = login(shop_a.owner)

    page = client.get(reverse("backoffice:erase_customer", args=[customer.pk]))
    assert b"this customer's are kept without personal data until 31 Dec 2033" in page.content

    client.post(reverse("backoffice:erase_customer", args=[customer.pk]), {"confirm": "ERASE"})
    page = client.get(reverse("backoffice:customer_detail", args=[customer.pk]))
    assert b"Accounting records kept until 31 Dec 2033, then removed." in page.content
