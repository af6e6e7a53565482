"""``aftersale loyalty-check`` finds cached balances that drifted from the ledger and fixes
them with --fix."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from aftersale.cli import main
from aftersale.loyalty import services
from aftersale.loyalty.models import CustomerPoints
from tests.factories import CustomerFactory


@pytest.fixture
def member(programme):
    customer = CustomerFactory(shop=programme)
    services.earn(
        programme,
        customer,
        points=120,
        source_type="order_line",
        source_id=1,
        rule=None,
        vests_on=date(2026, 12, 1),
    )
    return customer


def test_it_reports_no_drift_when_the_cache_matches(member, capsys):
    main(["aftersale", "loyalty-check"])
    assert "No drift" in capsys.readouterr().out


def test_it_reports_drift_and_fails_without_fix(member, capsys):
    CustomerPoints.objects.filter(customer=member).update(available=999)
    with pytest.raises(SystemExit) as exit_:
        call_command("loyalty_check")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"pohjola customer {member.pk}: available 999 cached, 0 in the ledger" in out
    assert "run with --fix" in out


def test_fix_sets_the_cache_to_the_ledger(member, capsys):
    CustomerPoints.objects.filter(customer=member).update(available=999, pending=1)
    call_command("loyalty_check", "--fix", "--shop", "pohjola")
    row = CustomerPoints.objects.get(customer=member)
    assert (row.available, row.pending) == (0, 120)
    call_command("loyalty_check")
    assert "No drift" in capsys.readouterr().out


def test_it_checks_only_the_shop_asked_for(member, shop_b, capsys):
    CustomerPoints.objects.filter(customer=member).update(available=999)
    call_command("loyalty_check", "--shop", "saaristo")
    assert "No drift" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No shop with the slug 'nope'"):
        call_command("loyalty_check", "--shop", "nope")


def test_it_finds_and_fixes_a_drifted_liability_total(member, capsys):
    from aftersale.loyalty import selectors
    from aftersale.loyalty.models import LiabilitySlot

    LiabilitySlot.objects.update(pending=5)
    with pytest.raises(SystemExit):
        call_command("loyalty_check")
    assert "liability: 1 members, 0 available and 5 pending kept" in capsys.readouterr().out
    call_command("loyalty_check", "--fix")
    kept = selectors.liability(member.shop, 1)
    assert (kept.members, kept.available, kept.pending) == (1, 0, 120)
    main(["aftersale", "loyalty-check"])
    assert "No drift" in capsys.readouterr().out
