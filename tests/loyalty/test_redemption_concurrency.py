"""Redemptions at the same moment on PostgreSQL: never more points than there are, never one
code to two customers (a pool code is taken FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from aftersale.loyalty import rewards, selectors
from aftersale.loyalty.reward_models import Redemption, RewardCode
from tests.factories import CustomerFactory
from tests.loyalty.rewards_helpers import pool_reward, with_points

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer")


def at_once(count, work):
    """Run ``work(n)`` in ``count`` threads released together; (results, refusals, errors)."""
    barrier = threading.Barrier(count)
    done, refused, errors = [], [], []

    def run(n):
        try:
            barrier.wait()
            done.append(work(n))
        except rewards.CannotRedeem as refusal:
            refused.append(refusal.code)
        except Exception as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, refused, errors


def test_one_member_redeeming_twice_at_once_never_overspends(programme):
    customer = with_points(programme, CustomerFactory(shop=programme), 700)
    reward = pool_reward(programme, codes=[f"CODE-{n:03}" for n in range(10)])

    done, refused, errors = at_once(
        4, lambda n: rewards.redeem_reward(programme, customer, reward, channel="api")
    )

    assert errors == []
    assert (len(done), refused) == (1, ["not_enough_points"] * 3)
    assert selectors.balance(programme, customer).available == 200
    assert selectors.ledger_sums(programme, customer) == (200, 0)
    assert RewardCode.objects.filter(state="handed_out").count() == 1


def test_many_members_at_once_never_share_a_code(programme):
    members = [with_points(programme, CustomerFactory(shop=programme), 500) for _ in range(8)]
    reward = pool_reward(programme, codes=[f"CODE-{n:03}" for n in range(5)])

    done, refused, errors = at_once(
        8, lambda n: rewards.redeem_reward(programme, members[n], reward, channel="api")
    )

    assert errors == []
    assert len(done) == 5 and refused == ["no_codes_left"] * 3
    codes = list(Redemption.objects.values_list("code", flat=True))
    assert sorted(codes) == [f"CODE-{n:03}" for n in range(5)]
    spent = [selectors.balance(programme, m).available for m in members]
    assert sorted(spent) == [0] * 5 + [500] * 3
