"""Money and times as the merchant reads them, in each language and the shop's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from aftersale.core.models import Shop
from aftersale.core.money import format_money


@pytest.mark.parametrize(
    "cents, currency, language, text",
    [
        (123450, "EUR", "fi", "1\xa0234,50\xa0€"),
        (123450, "EUR", "sv", "1\xa0234,50\xa0€"),
        (123450, "EUR", "en", "€1,234.50"),
        (-599, "EUR", "en", "-€5.99"),
        (-599, "EUR", "fi", "-5,99\xa0€"),
        (0, "EUR", "fi", "0,00\xa0€"),
        (1234567890, "SEK", "sv", "12\xa0345\xa0678,90\xa0kr"),
        (1000, "SEK", "en", "SEK\xa010.00"),
        (1000, "CHF", "fi", "10,00\xa0CHF"),
    ],
)
def test_it_formats_cents_in_the_language_style(cents, currency, language, text):
    assert format_money(cents, currency, language) == text


def render(source, language="en", **context):
    with translation.override(language):
        return Template("{% load aftersale_format %}" + source).render(Context(context))


def test_it_offers_money_as_a_template_filter():
    assert render("{{ cents|money:'EUR' }}", "fi", cents=123450) == "1\xa0234,50\xa0€"
    assert render("{{ cents|money:'EUR' }}", "en", cents=123450) == "€1,234.50"
    assert render("{{ cents|money:'EUR' }}", "en", cents=None) == "–"


def test_it_shows_times_in_the_shops_zone():
    shop = Shop(name="S", slug="s", time_zone="America/New_York")
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert render("{{ t|shoptime:shop }}", "fi", t=moment, shop=shop) == "1.7.2026 8.00"
    assert render("{{ t|shopdate:shop }}", "sv", t=moment, shop=shop) == "2026-07-01"
    assert render("{{ t|shoptime:shop }}", "en", t=moment, shop=shop) == "1 Jul 2026, 08:00"
    assert render("{{ t|in_shop_zone:shop|date:'H:i e' }}", t=moment, shop=shop) == "08:00 EDT"
    helsinki = Shop(name="H", slug="h", time_zone="Europe/Helsinki")
    late = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)
    assert render("{{ t|shopdate:shop }}", "fi", t=late, shop=helsinki) == "2.7.2026"


def test_it_survives_a_broken_time_zone_setting():
    shop = Shop(name="S", slug="s", time_zone="Nowhere/Special")
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert render("{{ t|shoptime:shop }}", "sv", t=moment, shop=shop) == "2026-07-01 12:00"
