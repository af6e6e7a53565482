"""Holdout groups: a stable, unbiased random control group per marketing flow that enters the
flow but gets no message."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from scipy import stats

from aftersale.flows.holdout import CONTROL_SKIP_REASON, bucket, in_control_group
from aftersale.flows.models import Flow, FlowRun, Kind, Message, StepRun
from tests.factories import CustomerFactory
from tests.flows.conftest import worker_pass
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins

KEYS = ["3f1c9a0d5e7b2c4a", "a6b1d3e5f7091827", "0f0f0f0f0f0f0f0f"]

pytestmark = pytest.mark.holdout


@pytest.fixture
def shop(shop_a):
    turn_off_builtins(shop_a.shop)
    return shop_a.shop


def _flow(pk: int, key: str, percent: int, kind: str = Kind.MARKETING) -> Flow:
    return Flow(pk=pk, holdout_key=key, holdout_percent=percent, kind=kind)


def test_it_assigns_a_customer_to_the_same_group_every_time():
    flow = _flow(7, KEYS[0], 10)
    first = [in_control_group(flow, customer_id) for customer_id in range(1, 2001)]
    again = [in_control_group(flow, customer_id) for customer_id in range(1, 2001)]
    assert first == again
    # A flow object read again from the database (same id and key) gives the same answer.
    assert first == [
        in_control_group(_flow(7, KEYS[0], 10), customer_id) for customer_id in range(1, 2001)
    ]


def test_it_keeps_the_control_group_when_the_share_grows():
    small, large = _flow(7, KEYS[0], 10), _flow(7, KEYS[0], 20)
    held = [c for c in range(1, 5001) if in_control_group(small, c)]
    assert all(in_control_group(large, c) for c in held)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("percent", [10, 25, 50])
def test_the_control_share_is_within_binomial_bounds(key, percent):
    n = 20_000
    flow = _flow(11, key, percent)
    held = sum(in_control_group(flow, c) for c in range(1, n + 1))
    low, high = stats.binom.interval(0.999, n, percent / 100)
    assert low <= held <= high


@pytest.mark.parametrize("key", KEYS)
def test_assignment_does_not_follow_the_customers_id_or_value(key):
    """Even and odd ids, low and high ids, and big and small spenders are held out alike."""
    n = 20_000
    flow = _flow(3, key, 10)
    ids = np.arange(1, n + 1)
    held = np.array([in_control_group(flow, int(c)) for c in ids])
    # Parity: a chi-squared test of independence between id parity and the group.
    table = [
        [np.sum(held & (ids % 2 == 0)), np.sum(~held & (ids % 2 == 0))],
        [np.sum(held & (ids % 2 == 1)), np.sum(~held & (ids % 2 == 1))],
    ]
    assert stats.chi2_contingency(table).pvalue > 0.001
    # Id order: the held-out ids are spread like all ids (Mann-Whitney).
    assert stats.mannwhitneyu(ids[held], ids[~held]).pvalue > 0.001
    # Customer value (a skewed, seeded spend per customer): no difference between the groups.
    value = np.random.default_rng(5).lognormal(3, 1.2, size=n)
    assert stats.mannwhitneyu(value[held], value[~held]).pvalue > 0.001


def test_flows_have_independent_control_groups():
    """Being held out of one flow says nothing about another (each has its own key)."""
    n = 20_000
    a = np.array([in_control_group(_flow(1, KEYS[0], 50), c) for c in range(n)])
    b = np.array([in_control_group(_flow(2, KEYS[1], 50), c) for c in range(n)])
    table = [[np.sum(a & b), np.sum(a & ~b)], [np.sum(~a & b), np.sum(~a & ~b)]]
    assert stats.chi2_contingency(table).pvalue > 0.001


def test_the_bucket_is_uniform():
    values = np.array([bucket(KEYS[2], 5, c) for c in range(20_000)])
    assert stats.kstest(values, "uniform").pvalue > 0.001


def test_transactional_flows_never_hold_anyone_out():
    flow = _flow(9, KEYS[0], 50, kind=Kind.TRANSACTIONAL)
    assert not any(in_control_group(flow, c) for c in range(1, 2001))


def test_a_zero_share_holds_no_one_out():
    flow = _flow(9, KEYS[0], 0)
    assert not any(in_control_group(flow, c) for c in range(1, 2001))


def _customers(shop, flow, *, control: bool, count: int = 1, **fields):
    """New customers that the flow puts in (or out of) its control group."""
    found = []
    while len(found) < count:
        customer = CustomerFactory(shop=shop, marketing_consent=True, **fields)
        if in_control_group(flow, customer.pk) == control:
            found.append(customer)
        else:
            customer.delete()
    return found


def test_control_customers_enter_the_flow_but_get_no_message(shop, smtp, clock):
    flow = marketing_flow(shop, wait=timedelta(days=1), holdout_percent=50)
    [held] = _customers(shop, flow, control=True)
    [messaged] = _customers(shop, flow, control=False)
    place_order(shop, held)
    place_order(shop, messaged)
    worker_pass()
    clock.shift(timedelta(days=1, minutes=1))
    worker_pass()

    assert [r for m in smtp.messages for r in m.rcpt_tos] == [messaged.email]
    held_run = FlowRun.objects.get(customer=held)
    assert held_run.control
    assert held_run.state == FlowRun.State.COMPLETED
    send = StepRun.objects.get(run=held_run, step__type="email")
    assert send.state == StepRun.State.SKIPPED
    assert send.skip_reason == CONTROL_SKIP_REASON
    assert not Message.objects.filter(customer=held).exists()
    assert not FlowRun.objects.get(customer=messaged).control


def test_a_customer_stays_in_the_control_group_on_every_entry(shop, smtp, clock):
    flow = marketing_flow(shop, wait=None, holdout_percent=50)
    [held] = _customers(shop, flow, control=True)
    for _ in range(3):
        place_order(shop, held)
    worker_pass()
    assert len(smtp) == 0
    assert (
        list(FlowRun.objects.filter(customer=held).values_list("control", flat=True)) == [True] * 3
    )


def test_control_customers_pass_the_same_checks_as_the_others(shop, smtp, clock):
    """No consent: skipped as for everyone, so the control group is not counted as withheld."""
    flow = marketing_flow(shop, wait=None, holdout_percent=50)
    [held] = _customers(shop, flow, control=True)
    held.marketing_consent = False
    held.save()
    place_order(shop, held)
    worker_pass()
    step_run = StepRun.objects.get(run__customer=held)
    assert step_run.skip_reason == "no marketing consent"


def test_transactional_flows_message_everyone_whatever_their_setting(shop, smtp, clock):
    flow = marketing_flow(shop, wait=None, holdout_percent=50, kind=Kind.TRANSACTIONAL)
    customers = [CustomerFactory(shop=shop) for _ in range(12)]
    for customer in customers:
        place_order(shop, customer)
    worker_pass()
    assert len(smtp) == 12
    assert not FlowRun.objects.filter(flow=flow, control=True).exists()


def test_the_flow_list_counts_the_control_group(shop, smtp, clock):
    from aftersale.flows.selectors import flow_metrics

    flow = marketing_flow(shop, wait=None, holdout_percent=50)
    _customers_held = _customers(shop, flow, control=True, count=2)
    _messaged = _customers(shop, flow, control=False, count=3)
    for customer in _customers_held + _messaged:
        place_order(shop, customer)
    worker_pass()
    metrics = flow_metrics(shop)[flow.pk]
    assert (metrics.entered, metrics.control, metrics.sent) == (5, 2, 3)
    assert metrics.skip_reasons == {CONTROL_SKIP_REASON: 2}
