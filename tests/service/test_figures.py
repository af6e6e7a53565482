"""Service figures: solved tickets, first-response and resolution times in business hours (a
weekend in between), share within target and satisfaction, per agent and topic; and the
dashboard's self-service figure (help-centre visitors per customer who contacted)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersale.service import csat, services
from aftersale.service.figures import deflection, desk_figures
from aftersale.service.help.models import HelpVisitDay
from aftersale.service.models import TicketState
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.factories import CustomerFactory
from tests.service.helpers import open_ticket

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")
NINE_TO_FIVE = {day: [(time(9), time(17))] for day in range(5)}


def at(day: int, hour: int, month: int = 11) -> datetime:
    """A moment in Helsinki in November 2026 (20 Nov is a Friday)."""
    return datetime(2026, month, day, hour, tzinfo=HELSINKI)


def handled(tenant, *, opened, replied, solved, agent, topic, score=None, email=None):
    """A ticket opened, answered by ``agent`` and solved at those moments (and rated)."""
    email = email or f"c{opened:%d%H}@example.fi"
    with time_machine.travel(opened, tick=False):
        ticket = open_ticket(tenant.shop, email=email, topic=topic)
    with time_machine.travel(replied, tick=False):
        services.reply(ticket, author=agent, body="Done.", email=False)
    with time_machine.travel(solved, tick=False):
        services.change_state(ticket, TicketState.SOLVED, actor=agent)
        if score is not None:
            event = Event.objects.filter(type=types.TICKET_SOLVED, subject_id=ticket.pk).last()
            token = csat.csat_token(tenant.shop.pk, ticket.pk, event.pk)
            csat.record_answer(tenant.shop, csat.survey_for_token(tenant.shop, token), score=score)
    return ticket


@pytest.fixture
def week(shop_a, shop_b):
    """Four tickets of shop A in the week of 20–27 Nov 2026 (hours 9–17 on weekdays)."""
    services.save_opening_hours(shop_a.shop, NINE_TO_FIVE)
    staff, owner = shop_a.staff, shop_a.owner
    # Friday 16:00 → Monday 10:00 is 1 h + 1 h of business time; solved Monday 12:00: 4 h.
    handled(
        shop_a, opened=at(20, 16), replied=at(23, 10), solved=at(23, 12), agent=staff,
        topic="return", score=5,
    )  # fmt: skip
    handled(
        shop_a, opened=at(24, 9), replied=at(24, 10), solved=at(24, 17), agent=staff,
        topic="delivery", score=4,
    )  # fmt: skip
    handled(
        shop_a, opened=at(25, 9), replied=at(25, 12), solved=at(26, 11), agent=owner,
        topic="delivery",
    )  # fmt: skip
    handled(
        shop_a, opened=at(26, 9), replied=at(27, 11), solved=at(27, 13), agent=staff,
        topic="return", score=2,
    )  # fmt: skip
    # Solved before the period, and another shop's: neither counts.
    handled(
        shop_a, opened=at(2, 9), replied=at(2, 10), solved=at(2, 11), agent=staff,
        topic="return", score=1,
    )  # fmt: skip
    handled(
        shop_b, opened=at(24, 9), replied=at(24, 10), solved=at(24, 11), agent=shop_b.staff,
        topic="return", score=1,
    )  # fmt: skip
    return shop_a.shop


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def figures_for(shop):
    return desk_figures(shop, at(20, 0), at(28, 0))


def test_times_are_business_hours_with_nearest_rank_percentiles(week, shop_a):
    figures = figures_for(week)
    total = figures.total
    assert total.solved == 4
    # First responses 1, 2, 3, 10 h: median is the 2nd (1 h… 2 h), the 90th the 4th.
    assert (total.first_response_median, total.first_response_p90) == (hours(2), hours(10))
    # Resolutions 4, 8, 10, 12 h.
    assert (total.resolution_median, total.resolution_p90) == (hours(8), hours(12))
    assert total.within_target_share == 0.75  # 10 h is over the 8 h target
    assert total.csat_answers == 3
    assert total.csat_average == pytest.approx(11 / 3)
    assert total.csat_satisfied_share == pytest.approx(2 / 3)

    agents = {row.label: row for row in figures.agents}
    assert set(agents) == {"a-staff", "a-owner"}
    staff = agents["a-staff"]
    assert staff.solved == 3
    assert (staff.first_response_median, staff.first_response_p90) == (hours(2), hours(10))
    assert (staff.resolution_median, staff.resolution_p90) == (hours(8), hours(12))
    assert (staff.csat_answers, staff.csat_satisfied) == (3, 2)
    owner = agents["a-owner"]
    assert (owner.solved, owner.first_response_median, owner.resolution_p90) == (
        1,
        hours(3),
        hours(10),
    )
    assert owner.csat_answers == 0 and owner.csat_average is None

    topics = {row.key: row for row in figures.topics}
    assert set(topics) == {"return", "delivery"}
    assert (topics["return"].first_response_median, topics["return"].first_response_p90) == (
        hours(2),
        hours(10),
    )
    assert (topics["delivery"].resolution_median, topics["delivery"].resolution_p90) == (
        hours(8),
        hours(10),
    )
    assert topics["delivery"].csat_average == 4


def test_finnish_christmas_and_a_weekend_are_not_business_time(shop_a):
    services.save_opening_hours(shop_a.shop, NINE_TO_FIVE)
    # Wednesday 23 Dec 16:00–17:00 is 1 h; 24–25 Dec are holidays, a weekend follows; Monday
    # 28 Dec 9:00–10:00 is 1 h more, and the solving at 11:00 one more.
    ticket = handled(
        shop_a, opened=at(23, 16, month=12), replied=at(28, 10, month=12),
        solved=at(28, 11, month=12), agent=shop_a.staff, topic="other",
    )  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.first_response_seconds == 2 * 3600
    assert ticket.resolution_seconds == 3 * 3600


def test_the_query_count_does_not_grow_with_the_tickets(week, shop_a):
    with CaptureQueriesContext(connection) as few:
        figures_for(week)
    for day in (23, 24, 25):
        for hour in (9, 10, 11):
            handled(
                shop_a, opened=at(day, hour), replied=at(day, hour + 1),
                solved=at(day, hour + 2), agent=shop_a.staff, topic="product", score=3,
            )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        figures = figures_for(week)
    assert figures.total.solved == 13
    assert len(many) == len(few)


def test_the_page_shows_the_figures_per_agent_and_topic_and_only_the_shops_own(week, shop_b, login):
    client = login(week.memberships.first().user)
    url = reverse("backoffice:ticket_figures")
    page = client.get(url, {"start": "2026-11-20", "end": "2026-11-27"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-row="a-staff"' in html and 'data-row="a-owner"' in html
    assert 'data-row="b-staff"' not in html
    assert "2 h 00 min" in html and "10 h 00 min" in html and "75 %" in html

    other = login(shop_b.staff).get(url, {"start": "2026-11-20", "end": "2026-11-27"})
    other_html = other.content.decode()
    assert 'data-row="a-staff"' not in other_html and 'data-row="b-staff"' in other_html


def test_a_period_that_ends_before_it_starts_is_named(week, login, shop_a):
    page = login(shop_a.staff).get(
        reverse("backoffice:ticket_figures"), {"start": "2026-11-27", "end": "2026-11-20"}
    )
    assert page.status_code == 400
    assert "The end date cannot be before the start date." in page.content.decode()


# --- Deflection -----------------------------------------------------------------------------


def test_deflection_is_visitors_per_customer_who_contacted(shop_a, shop_b):
    shop = shop_a.shop
    start, end = at(1, 0), at(28, 0)
    assert deflection(shop, start, end).ratio is None  # nobody contacted: no figure
    HelpVisitDay.objects.create(shop=shop, day=date(2026, 11, 3), visitors=30)
    HelpVisitDay.objects.create(shop=shop, day=date(2026, 11, 20), visitors=10)
    HelpVisitDay.objects.create(shop=shop, day=date(2026, 12, 1), visitors=500)  # after
    HelpVisitDay.objects.create(shop=shop_b.shop, day=date(2026, 11, 3), visitors=900)
    assert deflection(shop, start, end).ratio is None
    with time_machine.travel(at(10, 12), tick=False):
        open_ticket(shop, email="aino@example.fi")
        open_ticket(shop, email="AINO@example.fi")  # the same customer twice
        open_ticket(shop, email="eino@example.fi")
        spam = open_ticket(shop, email="bot@spam.example")
        services.change_state(spam, TicketState.SPAM, actor=shop_a.staff)
        open_ticket(shop_b.shop, email="other@example.fi")
    figure = deflection(shop, start, end)
    assert (figure.visitors, figure.contacted, figure.ratio) == (40, 2, 20)


def test_the_dashboard_explains_the_figure_and_shows_a_dash_when_nobody_contacted(shop_a, login):
    client = login(shop_a.staff)
    html = client.get(reverse("backoffice:dashboard")).content.decode()
    assert 'data-figure="deflection">–<' in html
    CustomerFactory(shop=shop_a.shop, email="aino@example.fi")
    open_ticket(shop_a.shop, email="aino@example.fi")
    HelpVisitDay.objects.create(shop=shop_a.shop, day=datetime.now(HELSINKI).date(), visitors=7)
    html = client.get(reverse("backoffice:dashboard")).content.decode()
    assert 'data-figure="deflection">7.0<' in html
    assert "7 visitors, 1 contacted" in html
