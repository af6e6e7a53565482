"""The flow report: incremental kept net revenue (messaged minus control, Welch's interval)
beside last-touch attributed revenue, in plain words, for the shop's own flows only."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from scipy import stats

from aftersale.analytics.uplift import welch_uplift
from aftersale.delivery.models import ShipmentStatus
from aftersale.flows import reports
from aftersale.flows.models import Flow, Kind
from aftersale.flows.reports import holdout_report
from aftersale.orders.models import Order
from aftersale.returns.models import Resolution, ReturnState
from tests.factories import (
    OrderFactory,
    OrderLineFactory,
    ReturnLineFactory,
    ReturnRequestFactory,
    ShipmentFactory,
)
from tests.flows.conftest import START, worker_pass
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins
from tests.flows.test_holdout import _customers
from tests.html_forms import form_data

pytestmark = pytest.mark.holdout


def editor_data(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response.content.decode(), "flow-editor")


@pytest.fixture
def shop(shop_a):
    turn_off_builtins(shop_a.shop)
    return shop_a.shop


def _order(shop, customer, *, net_cents, days, **fields):
    """An order placed ``days`` after START worth ``net_cents`` excluding VAT (24 % on top)."""
    vat = net_cents * 24 // 100
    order = OrderFactory(
        shop=shop,
        customer=customer,
        placed_at=START + timedelta(days=days),
        total_cents=net_cents + vat,
        vat_cents=vat,
        **fields,
    )
    line = OrderLineFactory(order=order, total_cents=net_cents + vat, vat_cents=vat)
    return order, line


def _returned(order, line, *, resolution=Resolution.REFUND):
    request = ReturnRequestFactory(order=order, state=ReturnState.RECEIVED, resolution=resolution)
    ReturnLineFactory(return_request=request, order_line=line, quantity=1)


@pytest.fixture
def entered(shop, smtp, clock):
    """A flow with a 50 % control group; 10 messaged and 10 control customers entered at START."""
    flow = marketing_flow(shop, wait=None, holdout_percent=50)
    held = _customers(shop, flow, control=True, count=10)
    messaged = _customers(shop, flow, control=False, count=10)
    for customer in held + messaged:
        place_order(shop, customer)
    worker_pass()
    assert len(smtp) == 10
    return flow, messaged, held


@pytest.mark.parametrize("chunk", [2000, 3])  # ids per query: the answer is the same
def test_it_counts_kept_net_revenue_only(shop, entered, clock, monkeypatch, chunk):
    monkeypatch.setattr(reports, "CHUNK", chunk)
    flow, messaged, held = entered
    for i, customer in enumerate(messaged):
        order, line = _order(shop, customer, net_cents=10000, days=2)
        if i < 4:
            _returned(order, line)  # sent back and refunded: not kept
    # Exchanged goods stay sold; a parcel left unclaimed is not kept; a cancelled order is
    # nothing; an order after the 30 days does not count.
    order, line = _order(shop, messaged[4], net_cents=2000, days=3)
    _returned(order, line, resolution=Resolution.EXCHANGE)
    order, _line = _order(shop, messaged[5], net_cents=5000, days=3)
    ShipmentFactory(order=order, status=ShipmentStatus.RETURNED_TO_SENDER)
    _order(shop, messaged[6], net_cents=7000, days=3, status=Order.Status.CANCELLED)
    _order(shop, messaged[7], net_cents=9000, days=31)
    for customer in held[:5]:
        _order(shop, customer, net_cents=3000, days=5)

    clock.shift(timedelta(days=31))
    report = holdout_report(shop, flow)

    # Messaged: 6 kept orders of 100 € and one kept exchange of 20 €, over 10 customers.
    assert report.mean_treated_cents == (6 * 10000 + 2000) // 10
    assert report.mean_control_cents == 5 * 3000 // 10
    assert report.difference_cents == 6200 - 1500
    assert report.uplift.n_treated == report.uplift.n_control == 10
    # Last touch credits every placed order within 5 days of the message, returns and all.
    assert report.attributed_cents == 10 * 10000 + 2000 + 5000
    assert report.attributed_per_recipient_cents == 10700


def test_it_waits_for_each_customers_window_to_end(shop, entered, clock):
    flow, messaged, _held = entered
    _order(shop, messaged[0], net_cents=10000, days=1)
    clock.shift(timedelta(days=29))
    report = holdout_report(shop, flow)
    assert report.verdict == "unknown"
    assert (report.uplift.n_treated, report.uplift.n_control) == (0, 0)
    assert (report.waiting_treated, report.waiting_control) == (10, 10)


def test_the_interval_is_welchs():
    rng = np.random.default_rng(3)
    treated = rng.exponential(12.0, 400)
    control = rng.exponential(10.0, 80)
    uplift = welch_uplift(treated, control)
    expected = stats.ttest_ind(treated, control, equal_var=False).confidence_interval(0.95)
    assert uplift.low == pytest.approx(expected.low)
    assert uplift.high == pytest.approx(expected.high)
    assert uplift.difference == pytest.approx(treated.mean() - control.mean())


def test_it_says_how_many_more_customers_are_needed():
    rng = np.random.default_rng(8)
    treated = rng.exponential(10.5, 300)
    control = rng.exponential(10.0, 40)
    uplift = welch_uplift(treated, control)
    assert uplift.verdict == "unclear"
    needed = uplift.customers_needed
    assert needed is not None and needed > 0
    # With that many more customers (same spread and effect), the interval leaves zero out.
    scale = (340 + needed) / 340
    bigger = welch_uplift(
        np.tile(treated, int(np.ceil(scale))), np.tile(control, int(np.ceil(scale)))
    )
    assert bigger.verdict == "gain"


def test_it_explains_the_result_in_plain_words(login, shop_a, shop, entered, clock):
    flow, messaged, held = entered
    for i, customer in enumerate(messaged):
        _order(shop, customer, net_cents=1000 * (i % 3), days=2)
    for i, customer in enumerate(held):
        _order(shop, customer, net_cents=1000 * ((i + 1) % 3), days=2)
    clock.shift(timedelta(days=31))
    page = login(shop_a.owner).get(f"/flows/{flow.pk}/report/").content.decode()
    assert "We cannot yet tell whether this flow earns money" in page
    assert "more customers are needed" in page
    assert 'data-verdict="unclear"' in page
    assert "Last-touch attributed revenue" in page


def test_it_says_when_a_flow_earns_money(login, shop_a, shop, entered, clock):
    flow, messaged, held = entered
    for i, customer in enumerate(messaged):
        _order(shop, customer, net_cents=10000 + 100 * i, days=2)
    for i, customer in enumerate(held):
        _order(shop, customer, net_cents=100 * i, days=2)
    clock.shift(timedelta(days=31))
    page = login(shop_a.owner).get(f"/flows/{flow.pk}/report/").content.decode()
    assert "This flow earns money" in page
    assert 'data-verdict="gain"' in page


def test_it_reports_in_the_merchants_language(login, shop_a, shop, entered, clock):
    flow, *_ = entered
    clock.shift(timedelta(days=31))
    client = login(shop_a.owner)
    page = client.get(f"/flows/{flow.pk}/report/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Liian vähän asiakkaita" in page


def test_transactional_flows_have_no_report_to_compare(login, shop_a):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="order_thanks")
    page = login(shop_a.owner).get(f"/flows/{flow.pk}/report/").content.decode()
    assert "Transactional flows have no control group" in page


def test_it_hides_another_shops_report(login, shop_a, shop_b):
    foreign = Flow.objects.for_shop(shop_b.shop).get(key="review_request")
    assert login(shop_a.owner).get(f"/flows/{foreign.pk}/report/").status_code == 404


def test_it_counts_only_the_shops_own_customers(shop_b, shop, entered, clock):
    """The same flow id asked for through another shop finds nothing of this shop's."""
    flow, messaged, _held = entered
    _order(shop, messaged[0], net_cents=10000, days=2)
    clock.shift(timedelta(days=31))
    report = holdout_report(shop_b.shop, flow)
    assert (report.uplift.n_treated, report.uplift.n_control, report.attributed_cents) == (0, 0, 0)


def test_the_editor_sets_the_control_group(login, shop_a):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="review_request")
    client = login(shop_a.owner)
    data = editor_data(client, f"/flows/{flow.pk}/edit/")
    assert data["holdout_percent"] == "10"
    data["holdout_percent"] = "25"
    assert client.post(f"/flows/{flow.pk}/edit/", data).status_code == 302
    flow.refresh_from_db()
    assert flow.holdout_percent == 25


def test_the_editor_refuses_a_control_group_over_half(login, shop_a):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="review_request")
    client = login(shop_a.owner)
    data = editor_data(client, f"/flows/{flow.pk}/edit/")
    data["holdout_percent"] = "60"
    response = client.post(f"/flows/{flow.pk}/edit/", data)
    assert response.status_code == 200
    assert "at most 50 %" in response.content.decode()
    flow.refresh_from_db()
    assert flow.holdout_percent == 10


def test_new_marketing_flows_start_with_a_ten_percent_control_group(shop):
    flow = Flow.objects.create(shop=shop, name="x", kind=Kind.MARKETING, trigger_type="x")
    assert flow.holdout_percent == 10
