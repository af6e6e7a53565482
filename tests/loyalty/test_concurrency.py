"""Two redemptions at the same moment never spend more points than the member has
(PostgreSQL: the member's balance row is locked)."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from aftersale.loyalty import selectors, services
from aftersale.loyalty.models import LedgerEntry
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer")


def test_concurrent_redemptions_never_overspend(programme):
    customer = CustomerFactory(shop=programme)
    entry = services.earn(
        programme,
        customer,
        points=100,
        source_type="order_line",
        source_id=1,
        rule=None,
        vests_on=date(2026, 1, 1),
    )
    services.vest(programme, entry)
    barrier = threading.Barrier(6)
    spent, refused, errors = [], [], []

    def redeem(n):
        try:
            barrier.wait()
            spent.append(
                services.redeem(programme, customer, points=40, source_type="reward", source_id=n)
            )
        except services.NotEnoughPoints:
            refused.append(n)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (len(spent), len(refused)) == (2, 4)
    assert selectors.balance(programme, customer).available == 20
    assert selectors.ledger_sums(programme, customer) == (20, 0)
    assert LedgerEntry.objects.filter(kind="redeem").count() == 2
