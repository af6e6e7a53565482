"""The built-in referral messages end to end: the reward e-mail when a friend's first order
arrives, the invite after a kept order, and the advocate's points vesting (or not) with the
friend's real deadline. Through the worker, the ledger's vesting and the real SMTP server."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from aftersale.flows.models import Flow
from aftersale.flows.scheduler import run_due_steps
from aftersale.flows.triggers import process_events
from aftersale.loyalty import referrals, selectors, services
from aftersale.loyalty.orders_seen import read_new_orders
from aftersale.orders.models import Customer
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.loyalty.rewards_helpers import pool_reward
from tests.loyalty.stories import place, read_timeline, track, vest_now
from tests.loyalty.test_vesting import MONDAY, SATURDAY, at_helsinki

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def advocate(programme, settings):
    settings.SITE_URL = "https://aftersale.example"
    services.save_rule(programme, referral_advocate_points=500, referral_friend_points=200)
    pool_reward(programme, name="Welcome 5 €", for_referred_friends=True, codes=["HELLO-1"])
    place(programme, "A-0", placed_at=SATURDAY - timedelta(days=30), customer="advocate")
    customer = Customer.objects.get(external_id="advocate")
    Customer.objects.filter(pk=customer.pk).update(language="en", first_name="Aino")
    customer.refresh_from_db()
    return customer


def invites(smtp, customer):
    """The invites in the customer's language (their orders came in Finnish)."""
    return [mail for mail in smtp.to(customer.email) if mail.subject == "Jaa lahja ystävällesi"]


def worker():
    """One pass of the worker over what loyalty and flows read."""
    later = timezone.now() + timedelta(seconds=30)
    read_timeline()
    read_new_orders(now=later)
    process_events()
    run_due_steps()


def friend_orders(shop, advocate, clock):
    """The friend claims the link now and orders an hour later."""
    code = referrals.referral_code_for(shop, advocate).code
    referrals.claim_referral(shop, code, email="friend@example.fi", ip="10.1.1.1")
    clock.shift(timedelta(hours=1))
    return place(shop, "F-1", placed_at=timezone.now(), customer="friend")


def test_the_advocate_is_told_of_the_reward_and_it_vests_with_the_friends_order(
    programme, advocate, clock, smtp
):
    order = friend_orders(programme, advocate, clock)
    worker()
    track(programme, order, "delivered", TUESDAY)
    worker()

    [mail] = [m for m in smtp.to(advocate.email) if m.subject.startswith("Your friend")]
    assert mail.subject == "Your friend ordered – you earn 500 points"
    assert "Hi Aino," in mail.text
    # Told while the parcel is on its way: the day is the returns policy's estimate.
    assert "past its return period (expected on 22 November 2026)" in mail.text
    assert selectors.balance(programme, advocate).pending == 500

    clock.move_to(at_helsinki(date(2026, 11, 17), 1))
    vest_now()
    assert selectors.balance(programme, advocate).available == 0
    clock.move_to(at_helsinki(date(2026, 11, 18), 1))
    vest_now()
    assert selectors.balance(programme, advocate).available == 500


def test_a_referral_worth_no_points_to_the_advocate_sends_them_nothing(
    programme, advocate, clock, smtp
):
    services.save_rule(programme, referral_advocate_points=0)
    order = friend_orders(programme, advocate, clock)
    worker()
    track(programme, order, "delivered", TUESDAY)
    worker()
    assert not [m for m in smtp.to(advocate.email) if m.subject.startswith("Your friend")]
    assert not Event.objects.filter(type=types.LOYALTY_REFERRAL_REWARDED).exists()
    # The friend still earns theirs, and the referral is rewarded.
    friend = Customer.objects.get(external_id="friend")
    assert selectors.balance(programme, friend).pending > 200
    assert selectors.balance(programme, advocate).pending == 0


def test_an_unclaimed_friends_order_takes_the_advocates_reward_back(programme, advocate, clock):
    order = friend_orders(programme, advocate, clock)
    worker()
    assert selectors.balance(programme, advocate).pending == 500
    track(programme, order, "returned_to_sender", TUESDAY + timedelta(days=10))
    worker()
    clock.move_to(at_helsinki(date(2026, 11, 30), 1))
    vest_now()
    assert selectors.balance(programme, advocate).available == 0
    assert selectors.balance(programme, advocate).pending == 0


def test_the_referral_invite_follows_a_kept_order_when_turned_on(programme, advocate, clock, smtp):
    Flow.objects.for_shop(programme).filter(key="referral_invite").update(
        enabled=True, holdout_percent=0
    )
    Customer.objects.filter(pk=advocate.pk).update(marketing_consent=True)
    order = place(programme, "A-1", placed_at=SATURDAY, customer="advocate")
    worker()
    track(programme, order, "delivered", MONDAY)
    worker()
    assert not invites(smtp, advocate)

    clock.move_to(at_helsinki(date(2026, 11, 17), 12))
    vest_now()
    worker()
    assert Event.objects.filter(type=types.LOYALTY_ORDER_KEPT).count() == 1
    [mail] = invites(smtp, advocate)
    code = referrals.referral_code_for(programme, advocate).code
    assert "Jaa tämä linkki ystävällesi" in mail.text
    assert f"https://aftersale.example/s/pohjola/r/{code}/" in mail.text
    worker()
    assert Event.objects.filter(type=types.LOYALTY_ORDER_KEPT).count() == 1
