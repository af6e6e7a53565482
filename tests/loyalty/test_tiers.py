"""Tiers by rolling-12-month net spend (or vested points): up at vesting, down after the
grace period, both on the timeline; the tier's multiplier on later orders; the review bonus."""

from __future__ import annotations

import inspect
from datetime import UTC, date, datetime, timedelta

from aftersale.loyalty import earning, selectors, services, vesting
from aftersale.loyalty.models import CustomerPoints, LedgerEntry, TierBasis
from aftersale.orders.models import Customer
from aftersale.timeline.models import Event
from tests.loyalty.stories import place, read_timeline, track, vest_now
from tests.loyalty.test_vesting import MONDAY, SATURDAY, at_helsinki

BIG = [("COAT", 1, 31000, 6000)]  # net 250 €


def member(shop):
    return (
        CustomerPoints.objects.for_shop(shop)
        .select_related("tier")
        .get(customer__external_id="c-1")
    )


def kept_order(shop, clock, external_id, *, lines=BIG, placed_at=SATURDAY, delivered=MONDAY):
    order = place(shop, external_id, placed_at=placed_at, lines=lines)
    read_timeline()
    track(shop, order, "delivered", delivered)
    read_timeline()
    return order


def test_a_member_moves_up_when_the_points_vest_not_when_ordered(programme, clock):
    kept_order(programme, clock, "A-1")
    assert member(programme).tier is None  # 250 € placed, nothing kept yet
    clock.move_to(at_helsinki(date(2026, 11, 17), 1))
    vest_now()
    assert member(programme).tier.name == "Silver"
    event = Event.objects.get(type="loyalty.tier_changed")
    assert event.payload == {
        "tier": "Silver",
        "tier_id": member(programme).tier_id,
        "previous_tier": "",
        "direction": "up",
    }


def test_a_higher_tier_multiplies_the_points_of_later_orders(programme, clock):
    kept_order(programme, clock, "A-1", lines=[("COAT", 2, 31000, 6000)])  # 500 €
    clock.move_to(at_helsinki(date(2026, 11, 17), 1))
    vest_now()
    assert member(programme).tier.name == "Gold"
    place(programme, "A-2", placed_at=clock_now(), lines=[("CAP", 1, 1240, 240)])
    read_timeline()
    entry = LedgerEntry.objects.for_shop(programme).filter(kind="earn").latest("id")
    assert entry.pending_points == 30  # 10 € × 2 × 1.5


def clock_now():
    from django.utils import timezone

    return timezone.now()


def test_a_member_keeps_the_tier_for_the_grace_period_then_moves_down(programme, clock):
    kept_order(programme, clock, "A-1")
    clock.move_to(at_helsinki(date(2026, 11, 17), 1))
    vest_now()
    # A year later the spend falls out of the rolling window.
    clock.move_to(at_helsinki(date(2027, 11, 18), 3))
    vesting.review_tiers()
    assert member(programme).tier.name == "Silver"
    assert member(programme).below_tier_since == date(2027, 11, 18)
    clock.move_to(at_helsinki(date(2027, 12, 17), 3))  # 29 days
    vesting.review_tiers()
    assert member(programme).tier.name == "Silver"
    clock.move_to(at_helsinki(date(2027, 12, 18), 3))  # 30 days: the grace is over
    assert vesting.review_tiers() == 1
    assert member(programme).tier is None
    changes = Event.objects.filter(type="loyalty.tier_changed").order_by("id")
    assert [e.payload["direction"] for e in changes] == ["up", "down"]


def test_spending_again_during_the_grace_period_keeps_the_tier(programme, clock):
    kept_order(programme, clock, "A-1")
    clock.move_to(at_helsinki(date(2026, 11, 17), 1))
    vest_now()
    clock.move_to(at_helsinki(date(2027, 11, 18), 3))
    vesting.review_tiers()
    later = datetime(2027, 11, 18, 2, tzinfo=UTC)
    kept_order(programme, clock, "A-2", placed_at=later, delivered=later + timedelta(hours=5))
    clock.move_to(at_helsinki(date(2027, 12, 4), 3))
    vest_now()
    vesting.review_tiers()
    clock.move_to(at_helsinki(date(2028, 1, 20), 3))
    vesting.review_tiers()
    assert member(programme).tier.name == "Silver"
    assert member(programme).below_tier_since is None


def test_tiers_can_go_by_vested_points(programme, clock):
    services.save_programme(programme, tier_basis=TierBasis.VESTED_POINTS)
    kept_order(programme, clock, "A-1")  # 500 + 100 points
    customer = Customer.objects.get(external_id="c-1")
    clock.move_to(at_helsinki(date(2026, 11, 17), 1))
    vest_now()
    assert selectors.tier_value(programme, customer, TierBasis.VESTED_POINTS) == 600
    assert member(programme).tier is None  # thresholds are 20 000 and 50 000 points


def test_the_review_bonus_never_depends_on_the_rating(programme, clock):
    assert "rating" not in inspect.signature(earning.award_review_bonus).parameters
    customer = place(programme, "A-1", placed_at=SATURDAY).customer
    entry = earning.award_review_bonus(programme, customer, review_id=7)
    assert (entry.source_type, entry.pending_points) == ("review", 50)
    assert earning.award_review_bonus(programme, customer, review_id=7).pk == entry.pk
    vest_now()
    assert selectors.balance(programme, customer).available == 50


def test_no_review_bonus_before_the_programme_starts(programme, clock):
    customer = place(programme, "A-1", placed_at=SATURDAY).customer
    early = datetime(2026, 10, 1, tzinfo=UTC)
    assert earning.award_review_bonus(programme, customer, review_id=7, at=early) is None
