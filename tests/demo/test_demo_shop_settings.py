"""The demo shops' settings match what the simulator charged in their history, so that what the
back-office and the worker compute from the settings agrees with the simulated refunds."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from aftersale.core.models import Shop
from aftersale.demo.simulation import SHOPS
from aftersale.orders.balance import order_balance
from aftersale.orders.models import Refund
from aftersale.returns import deadlines, policy

pytestmark = pytest.mark.django_db


def test_the_demo_shops_keep_the_fees_their_history_charged(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", end_date=date(2026, 6, 15), customers=200, seed=3, stdout=StringIO())
    for spec in SHOPS:
        shop = Shop.objects.get(slug=spec.slug)
        assert deadlines.settings_for(shop).unclaimed_fee_cents == spec.unclaimed_fee_cents
        assert policy.policy_for(shop).drop_off_fee_cents == spec.return_fee_cents
        assert policy.policy_for(shop).free_exchanges

    # Every simulated unclaimed-parcel refund kept exactly the shop's fee (or all of a cheaper
    # order): what the case's money function computes from the settings.
    pohjola = Shop.objects.get(slug="pohjola-style")
    unclaimed_refunds = Refund.objects.for_shop(pohjola).filter(reason__startswith="Noutamaton")
    assert unclaimed_refunds.exists()
    fee = deadlines.settings_for(pohjola).unclaimed_fee_cents
    for refund in unclaimed_refunds.select_related("order"):
        paid = order_balance(refund.order).paid_cents
        assert refund.amount_cents == max(0, paid - fee)
