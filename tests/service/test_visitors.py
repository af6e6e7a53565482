"""Help-centre visitors are counted per shop and day, and nothing about them is kept."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from aftersale.service.help.models import HelpVisitDay, HelpVisitor, HelpVisitSalt
from aftersale.service.help.visitors import help_centre_visitors

pytestmark = pytest.mark.django_db
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def visit(client, path="/s/pohjola/help/", agent=FIREFOX, address="203.0.113.5"):
    return client.get(path, HTTP_USER_AGENT=agent, REMOTE_ADDR=address)


def test_one_visitor_counts_once_a_day_however_many_pages(client, shop_a):
    with time_machine.travel("2026-12-01 09:00 +02:00", tick=False):
        visit(client)
        visit(client, "/s/pohjola/help/?q=palautus")
        visit(client, address="198.51.100.7")
        visit(client, agent="Safari/17")
    assert help_centre_visitors(shop_a.shop, date(2026, 12, 1), date(2026, 12, 1)) == 3


def test_days_are_counted_in_the_shops_time_zone_and_summed(client, shop_a):
    with time_machine.travel("2026-12-01 23:30 +02:00", tick=False):
        visit(client)
    with time_machine.travel("2026-12-02 00:30 +02:00", tick=False):
        visit(client)
    with time_machine.travel("2026-12-04 10:00 +02:00", tick=False):
        visit(client)
    shop = shop_a.shop
    assert help_centre_visitors(shop, date(2026, 12, 1), date(2026, 12, 1)) == 1
    assert help_centre_visitors(shop, date(2026, 12, 1), date(2026, 12, 2)) == 2
    assert help_centre_visitors(shop, date(2026, 12, 1), date(2026, 12, 31)) == 3
    assert help_centre_visitors(shop, date(2026, 11, 1), date(2026, 11, 30)) == 0


def test_old_days_keep_only_their_count(client, shop_a):
    with time_machine.travel("2026-12-01 10:00 +02:00", tick=False):
        visit(client)
    with time_machine.travel("2026-12-05 10:00 +02:00", tick=False):
        visit(client)
    assert set(HelpVisitSalt.objects.values_list("day", flat=True)) == {date(2026, 12, 5)}
    assert set(HelpVisitor.objects.values_list("day", flat=True)) == {date(2026, 12, 5)}
    days = dict(HelpVisitDay.objects.for_shop(shop_a.shop).values_list("day", "visitors"))
    assert days == {date(2026, 12, 1): 1, date(2026, 12, 5): 1}
    # Nothing stored holds the address or the browser.
    stored = " ".join(HelpVisitor.objects.values_list("digest", flat=True))
    assert "203.0.113.5" not in stored and "Firefox" not in stored


def test_robots_are_not_visitors(client, shop_a):
    visit(client, agent="Mozilla/5.0 (compatible; Googlebot/2.1)")
    assert not HelpVisitDay.objects.exists()


def test_visitors_of_one_shop_are_not_anothers(client, shop_a, shop_b):
    with time_machine.travel("2026-12-01 10:00 +02:00", tick=False):
        visit(client)
        visit(client, "/s/saaristo/help/")
        visit(client, "/s/saaristo/help/", address="198.51.100.7")
    assert help_centre_visitors(shop_a.shop, date(2026, 12, 1), date(2026, 12, 1)) == 1
    assert help_centre_visitors(shop_b.shop, date(2026, 12, 1), date(2026, 12, 1)) == 2
