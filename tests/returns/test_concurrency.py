"""Two browsers registering the same item at once never return more than was bought."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from aftersale.returns import services
from aftersale.returns.models import ReturnLine
from aftersale.returns.policy import RequestedLine, ReturnNotAllowed
from tests.returns.backoffice import NOW
from tests.returns.fixtures import delivered_order

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SQLite serialises writers anyway)")


def test_concurrent_registrations_of_the_last_item_let_only_one_through(shop_a):
    order = delivered_order(shop_a.shop, lines=1)
    line = order.lines.get()
    barrier = threading.Barrier(2)
    outcomes = []

    def register():
        try:
            barrier.wait()
            services.register_return(
                shop_a.shop,
                order,
                [RequestedLine(line.pk, 1, "changed_mind")],
                resolution="refund",
                method="drop_off",
                now=NOW,
            )
            outcomes.append("registered")
        except ReturnNotAllowed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "registered"]
    assert ReturnLine.objects.filter(order_line=line).count() == 1
