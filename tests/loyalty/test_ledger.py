"""The points ledger: earn, vest, redeem, adjust, reverse; balances from the ledger; entries
that cannot be changed."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from aftersale.loyalty import selectors, services
from aftersale.loyalty.models import CustomerPoints, EarningRule, ImmutableEntry, LedgerEntry
from aftersale.timeline.models import Event
from tests.factories import CustomerFactory

Source = LedgerEntry.Source


@pytest.fixture
def customer(programme):
    return CustomerFactory(shop=programme)


def earn(shop, customer, points, source_id=1, vests_on=date(2026, 11, 20)):
    return services.earn(
        shop,
        customer,
        points=points,
        source_type=Source.ORDER_LINE,
        source_id=source_id,
        rule=services.current_rule(shop),
        vests_on=vests_on,
    )


def test_earned_points_are_pending_until_they_vest(programme, customer, clock):
    entry = earn(programme, customer, 120)
    assert selectors.balance(programme, customer) == selectors.Balance(
        0, 120, [(date(2026, 11, 20), 120)]
    )
    services.vest(programme, entry)
    assert selectors.balance(programme, customer) == selectors.Balance(120, 0, [])
    entry.refresh_from_db()
    assert entry.state == LedgerEntry.State.VESTED


def test_earning_twice_from_the_same_source_earns_once(programme, customer, clock):
    first = earn(programme, customer, 120)
    again = earn(programme, customer, 120)
    assert again.pk == first.pk
    assert selectors.balance(programme, customer).pending == 120


def test_joining_is_on_the_timeline_once(programme, customer, clock):
    earn(programme, customer, 10, source_id=1)
    earn(programme, customer, 10, source_id=2)
    assert Event.objects.filter(type="loyalty.joined", customer=customer).count() == 1
    assert Event.objects.filter(type="loyalty.points_earned", customer=customer).count() == 2


def test_redeeming_more_than_available_is_refused_and_writes_nothing(programme, customer, clock):
    services.vest(programme, earn(programme, customer, 100))
    with pytest.raises(services.NotEnoughPoints, match="Only 100 points are available"):
        services.redeem(programme, customer, points=101, source_type=Source.REWARD, source_id=7)
    entry = services.redeem(programme, customer, points=60, source_type=Source.REWARD, source_id=7)
    assert entry.points == -60
    again = services.redeem(programme, customer, points=60, source_type=Source.REWARD, source_id=7)
    assert again.pk == entry.pk
    assert selectors.balance(programme, customer).available == 40
    assert LedgerEntry.objects.filter(kind="redeem").count() == 1


def test_pending_points_cannot_be_redeemed(programme, customer, clock):
    earn(programme, customer, 500)
    with pytest.raises(services.NotEnoughPoints):
        services.redeem(programme, customer, points=1, source_type=Source.REWARD, source_id=1)


def test_a_staff_adjustment_needs_a_reason(programme, customer, shop_a, clock):
    with pytest.raises(services.InvalidPoints) as error:
        services.adjust(programme, customer, points=50, reason="  ", staff_user=shop_a.staff)
    assert error.value.field == "reason"
    entry = services.adjust(
        programme, customer, points=50, reason="Parcel was late", staff_user=shop_a.staff
    )
    assert (entry.points, entry.created_by, entry.reason) == (50, shop_a.staff, "Parcel was late")
    event = Event.objects.get(type="loyalty.points_adjusted")
    assert event.payload["staff"] == "a-staff"
    assert selectors.balance(programme, customer).available == 50


def test_a_partial_reversal_takes_back_exactly_the_share(programme, customer, clock):
    entry = earn(programme, customer, 100)
    services.reverse(programme, entry, share=(1, 3), natural_key="r:1", reason="returned")
    assert selectors.balance(programme, customer).pending == 67
    services.reverse(programme, entry, share=(3, 3), natural_key="r:2", reason="returned")
    assert selectors.balance(programme, customer).pending == 0
    entry.refresh_from_db()
    assert entry.state == LedgerEntry.State.REVERSED
    # A replay of the first reversal changes nothing.
    services.reverse(programme, entry, share=(1, 3), natural_key="r:1", reason="returned")
    assert selectors.ledger_sums(programme, customer) == (0, 0)


def test_what_is_left_after_a_partial_reversal_vests(programme, customer, clock):
    entry = earn(programme, customer, 100)
    services.reverse(programme, entry, share=(1, 2), natural_key="r:1", reason="returned")
    vested = services.vest(programme, entry)
    assert vested.points == 50
    assert selectors.balance(programme, customer) == selectors.Balance(50, 0, [])


def test_reversing_vested_points_takes_them_from_the_available_balance(programme, customer, clock):
    entry = earn(programme, customer, 100)
    services.vest(programme, entry)
    services.reverse(programme, entry, share=(1, 1), natural_key="r:1", reason="complaint")
    assert selectors.balance(programme, customer).available == 0


def test_ledger_entries_cannot_be_changed_or_deleted(programme, customer, clock):
    entry = earn(programme, customer, 100)
    entry.pending_points = 1000
    with pytest.raises(ImmutableEntry):
        entry.save()
    with pytest.raises(ImmutableEntry):
        LedgerEntry.objects.filter(pk=entry.pk).update(points=5)
    with pytest.raises(ImmutableEntry):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(ImmutableEntry):
        entry.delete()


def test_the_database_refuses_changed_amounts_even_in_raw_sql(programme, customer, clock):
    entry = earn(programme, customer, 100)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE loyalty_ledgerentry SET pending_points = 1000 WHERE id = %s", [entry.pk]
            )
    # The state of an earn may move (that is how vesting works).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE loyalty_ledgerentry SET reason = 'x' WHERE id = %s", [entry.pk])


def test_the_same_natural_key_cannot_be_written_twice(programme, customer, clock):
    entry = earn(programme, customer, 100)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            shop=programme,
            customer=customer,
            kind="adjust",
            points=1,
            source_type="staff",
            natural_key=entry.natural_key,
            created_at=entry.created_at,
        )


def test_a_rule_change_is_a_new_version_and_old_versions_never_change(programme, clock):
    first = services.current_rule(programme)
    assert services.save_rule(programme, points_per_euro=2) == first  # nothing changed
    second = services.save_rule(programme, points_per_euro=3)
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.points_per_euro == 2
    with pytest.raises(ImmutableEntry):
        first.save()
    assert EarningRule.objects.filter(shop=programme).count() == 2


def test_a_foreign_customer_cannot_join(programme, shop_b):
    with pytest.raises(CustomerPoints.DoesNotExist):
        services.join(programme, CustomerFactory(shop=shop_b.shop))
