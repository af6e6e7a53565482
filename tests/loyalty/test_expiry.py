"""Points expire after the programme's months without activity, told 30 days before (the
built-in "points about to expire" e-mail), in bounded chunks; activity starts a new stretch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersale.flows.scheduler import run_due_steps
from aftersale.flows.triggers import process_events
from aftersale.loyalty import expiry, rewards, selectors, services
from aftersale.loyalty.models import LedgerEntry
from aftersale.loyalty.reward_models import ExpiryNotice
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.factories import CustomerFactory
from tests.loyalty.rewards_helpers import pool_reward, with_points

DAY = timedelta(days=1)


@pytest.fixture
def twelve_months(programme, settings):
    settings.SITE_URL = "https://aftersale.example"
    services.save_programme(programme, expiry_months=12)
    return programme


def test_it_tells_thirty_days_before_and_expires_on_the_day(twelve_months, clock, smtp):
    shop = twelve_months
    member = with_points(shop, CustomerFactory(shop=shop, language="sv", first_name="Ebba"), 800)
    quiet = with_points(shop, CustomerFactory(shop=shop), 100)

    clock.shift(timedelta(days=300))
    with_points(shop, quiet, 50)  # active again: a new stretch for this one
    clock.shift(timedelta(days=34))  # 334 days: more than 30 days before 12 months
    assert expiry.run_expiry() == 0

    clock.shift(2 * DAY)  # 336 days: inside the 30 days
    assert expiry.run_expiry() == 1
    assert expiry.run_expiry() == 0  # told once
    notice = ExpiryNotice.objects.get(customer=member)
    assert notice.points == 800
    process_events()
    run_due_steps()
    [mail] = smtp.to(member.email)
    assert mail.subject == f"Dina 800 poäng går ut {notice.expires_on.day} november 2027"
    assert "Hej Ebba," in mail.text
    assert "https://aftersale.example/s/pohjola/" in mail.text

    clock.shift(29 * DAY)
    expiry.run_expiry()
    assert selectors.balance(shop, member).available == 800
    clock.shift(DAY)
    expiry.run_expiry()
    assert selectors.balance(shop, member).available == 0
    assert selectors.ledger_sums(shop, member) == (0, 0)
    expired = LedgerEntry.objects.get(customer=member, kind=LedgerEntry.Kind.EXPIRE)
    assert expired.points == -800
    assert Event.objects.filter(type=types.LOYALTY_POINTS_EXPIRED, customer=member).exists()
    assert selectors.balance(shop, quiet).available == 150  # never told, never expired


def test_a_member_who_redeems_after_the_notice_keeps_the_rest(twelve_months, clock):
    shop = twelve_months
    member = with_points(shop, CustomerFactory(shop=shop), 800)
    reward = pool_reward(shop)
    clock.shift(timedelta(days=340))
    expiry.run_expiry()
    rewards.redeem_reward(shop, member, reward, channel="portal")
    clock.shift(timedelta(days=40))
    expiry.run_expiry()
    assert selectors.balance(shop, member).available == 300
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.EXPIRE).exists()


def test_a_long_quiet_member_is_told_before_anything_expires(twelve_months, clock):
    shop = twelve_months
    member = with_points(shop, CustomerFactory(shop=shop), 100)
    clock.shift(timedelta(days=500))  # the programme started expiring long after
    expiry.run_expiry()
    assert selectors.balance(shop, member).available == 100
    notice = ExpiryNotice.objects.get()
    assert notice.expires_on == (timezone.now() + timedelta(days=30)).date()
    clock.shift(timedelta(days=29))
    expiry.run_expiry()
    assert selectors.balance(shop, member).available == 100
    clock.shift(DAY)
    expiry.run_expiry()
    assert selectors.balance(shop, member).available == 0


def test_it_walks_the_members_in_chunks(twelve_months, clock, monkeypatch):
    shop = twelve_months
    members = [with_points(shop, CustomerFactory(shop=shop), 10) for _ in range(5)]
    monkeypatch.setattr(expiry, "CHUNK", 2)
    clock.shift(timedelta(days=340))
    assert expiry.run_expiry() == 5
    assert ExpiryNotice.objects.count() == len(members)


def test_a_programme_without_expiry_expires_nothing(programme, clock):
    services.save_programme(programme, expiry_months=0)
    member = with_points(programme, CustomerFactory(shop=programme), 10)
    clock.shift(timedelta(days=900))
    assert expiry.run_expiry() == 0
    assert selectors.balance(programme, member).available == 10
