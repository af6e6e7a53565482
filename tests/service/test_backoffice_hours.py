"""The merchant's opening hours, closed days, holiday countries and answer-time targets."""

from __future__ import annotations

from datetime import date, time

import pytest
import time_machine
from django.urls import reverse

from aftersale.service.models import OpeningHours, ShopClosedDay, SupportSettings

pytestmark = pytest.mark.django_db


def test_the_page_shows_the_default_hours_and_what_customers_read(login, shop_a):
    with time_machine.travel("2026-12-05 10:00 +02:00", tick=False):  # a Saturday
        page = login(shop_a.owner).get(
            reverse("backoffice:service_hours"), HTTP_ACCEPT_LANGUAGE="en"
        )
    html = page.content.decode()
    assert "mon-fri 09:00-17:00; sat-sun closed" in html
    assert "EN: We answer within 1 business day. Closed now, back Monday at 9:00." in html
    assert (
        "FI: Vastaamme 1 arkipäivän kuluessa. Suljettu nyt, palaamme maanantaina klo 9.00." in html
    )
    assert "Independence Day" in html  # the next 90 days' holidays


def test_owners_save_several_intervals_a_day_and_a_night(login, shop_a):
    client = login(shop_a.owner)
    response = client.post(
        reverse("backoffice:service_hours_save"),
        {"hours": "mon-fri 09:00-12:00, 13:00-17:00; sat 20:00-02:00"},
    )
    assert response.status_code == 302
    rows = set(OpeningHours.objects.for_shop(shop_a.shop).values_list("weekday", "opens", "closes"))
    assert (0, time(9), time(12)) in rows and (0, time(13), time(17)) in rows
    assert (5, time(20), time(0)) in rows and (6, time(0), time(2)) in rows
    assert len(rows) == 12
    page = client.get(reverse("backoffice:service_hours")).content.decode()
    assert "mon-fri 09:00-12:00, 13:00-17:00; sat 20:00-24:00; sun 00:00-02:00" in page


def test_bad_hours_are_named_and_nothing_changes(login, shop_a):
    client = login(shop_a.owner)
    response = client.post(
        reverse("backoffice:service_hours_save"),
        {"hours": "mon-fri 09:00-17:00; sunnuntai 10-12"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "is not a weekday" in response.content.decode()
    response = client.post(
        reverse("backoffice:service_hours_save"),
        {"hours": "mon 09:00-12:00, 11:00-15:00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Monday: the intervals overlap" in response.content.decode()
    assert not OpeningHours.objects.for_shop(shop_a.shop).exists()


def test_closed_days_are_added_and_removed(login, shop_a, shop_b):
    client = login(shop_a.owner)
    response = client.post(
        reverse("backoffice:service_closed_day_add"), {"date": "2099-12-27", "name": "Inventory"}
    )
    assert response.status_code == 302
    day = ShopClosedDay.objects.for_shop(shop_a.shop).get()
    assert (day.date, day.name) == (date(2099, 12, 27), "Inventory")
    assert "Inventory" in client.get(reverse("backoffice:service_hours")).content.decode()
    bad = client.post(reverse("backoffice:service_closed_day_add"), {"date": "27.13.2099"})
    assert bad.status_code == 400
    foreign = ShopClosedDay.objects.create(shop=shop_b.shop, date=date(2099, 1, 2))
    remove_foreign = reverse("backoffice:service_closed_day_remove", args=[foreign.pk])
    assert client.post(remove_foreign).status_code == 404
    assert ShopClosedDay.objects.filter(pk=foreign.pk).exists()
    remove = reverse("backoffice:service_closed_day_remove", args=[day.pk])
    assert client.post(remove).status_code == 302
    assert not ShopClosedDay.objects.for_shop(shop_a.shop).exists()


def test_targets_and_countries_are_saved(login, shop_a, shop_b):
    client = login(shop_a.owner)
    response = client.post(
        reverse("backoffice:service_targets"),
        {"first_response_hours": "4", "resolution_hours": "24", "holiday_countries": "fi, se"},
    )
    assert response.status_code == 302
    saved = SupportSettings.objects.get(shop=shop_a.shop)
    assert (saved.first_response_hours, saved.resolution_hours) == (4, 24)
    assert saved.holiday_countries == ["FI", "SE"]
    assert not SupportSettings.objects.filter(shop=shop_b.shop).exists()


def test_an_unknown_country_is_named(login, shop_a):
    response = login(shop_a.owner).post(
        reverse("backoffice:service_targets"),
        {"first_response_hours": "8", "resolution_hours": "40", "holiday_countries": "FI, XX"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "XX is not a country with known public holidays" in response.content.decode()
    assert not SupportSettings.objects.filter(shop=shop_a.shop).exists()


def test_staff_cannot_change_the_hours(login, shop_a):
    client = login(shop_a.staff)
    assert client.get(reverse("backoffice:service_hours")).status_code == 403
    response = client.post(reverse("backoffice:service_hours_save"), {"hours": "mon 10:00-11:00"})
    assert response.status_code == 403
    assert not OpeningHours.objects.for_shop(shop_a.shop).exists()


def test_outsiders_and_anonymous_visitors_see_nothing(client, login, shop_a, outsider):
    assert client.get(reverse("backoffice:service_hours")).status_code == 302
    assert login(outsider).get(reverse("backoffice:service_hours")).status_code == 403
