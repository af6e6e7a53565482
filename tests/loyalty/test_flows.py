"""The built-in loyalty e-mails, end to end: the timeline, the loyalty worker, the flows worker
and a real SMTP server: welcome on joining, points available once they vest, tier reached."""

from __future__ import annotations

from datetime import date

import pytest

from aftersale.flows.models import Flow
from aftersale.flows.scheduler import run_due_steps
from aftersale.flows.triggers import process_events
from tests.loyalty.stories import place, read_timeline, track, vest_now
from tests.loyalty.test_vesting import MONDAY, SATURDAY, at_helsinki

BIG = [("COAT", 1, 31000, 6000)]  # net 250 €: 500 points, and Silver once kept


@pytest.fixture
def smtp(smtp, settings):
    settings.SITE_URL = "https://aftersale.example"
    return smtp


def flows_pass():
    process_events()
    run_due_steps()


def mails(smtp, subject_start=""):
    return [m for m in smtp.to("c-1@example.fi") if m.subject.startswith(subject_start)]


@pytest.mark.parametrize(
    ("language", "welcome", "vested", "tier"),
    [
        (
            "fi",
            "Tervetuloa kanta-asiakkaaksemme",
            "600 pistettä on nyt käytettävissäsi",
            "Olet nyt tasolla Silver",
        ),
        ("sv", "Välkommen som stamkund", "600 poäng kan nu användas", "Du har nått nivån Silver"),
        (
            "en",
            "Welcome to our loyalty programme",
            "600 points are now yours to use",
            "You have reached Silver",
        ),
    ],
)
def test_a_member_hears_about_joining_vesting_and_a_new_tier(
    programme, clock, smtp, language, welcome, vested, tier
):
    order = place(programme, "A-1", placed_at=SATURDAY, lines=BIG, language=language)
    read_timeline()
    flows_pass()
    [mail] = mails(smtp, welcome)
    assert "https://aftersale.example/s/pohjola/loyalty/" in mail.text

    track(programme, order, "delivered", MONDAY)
    read_timeline()
    clock.move_to(at_helsinki(date(2026, 11, 17), 10))
    vest_now()
    flows_pass()
    [points] = mails(smtp, vested)  # one e-mail for the order's lines and bonus together
    assert "A-1" in points.text
    [reached] = mails(smtp, tier)
    assert {"fi": "Ilmaiset palautukset", "sv": "Fria returer", "en": "Free returns"}[
        language
    ] in reached.text


def test_a_tier_going_down_sends_no_tier_reached_mail(programme, clock, smtp):
    from aftersale.loyalty import services
    from aftersale.loyalty.models import CustomerPoints, Tier

    customer = place(programme, "A-1", placed_at=SATURDAY).customer
    read_timeline()
    member = CustomerPoints.objects.get(customer=customer)
    services.change_tier(programme, member, Tier.objects.get(name="Gold"), at=clock_now())
    services.change_tier(programme, member, Tier.objects.get(name="Silver"), at=clock_now())
    flows_pass()
    subjects = [m.subject for m in smtp.to("c-1@example.fi")]
    assert "Olet nyt tasolla Gold" in subjects
    assert "Olet nyt tasolla Silver" not in subjects


def test_enabling_the_programme_installs_the_loyalty_flows(shop_b):
    from aftersale.loyalty import services

    Flow.objects.for_shop(shop_b.shop).filter(key__startswith="loyalty_").delete()
    services.save_programme(shop_b.shop, enabled=True)
    assert set(
        Flow.objects.for_shop(shop_b.shop)
        .filter(key__startswith="loyalty_", enabled=True)
        .values_list("key", flat=True)
    ) == {"loyalty_welcome", "loyalty_points_vested", "loyalty_tier_reached"}


def clock_now():
    from django.utils import timezone

    return timezone.now()
