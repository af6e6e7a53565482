"""The back-office "Withdrawals & deadlines" page: days left, warnings with a moved clock,
holding allowed until the goods are back, refunds on time or late, and shop isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersale.returns import deadlines, unclaimed, withdrawals
from aftersale.returns.models import Withdrawal
from tests.factories import (
    OrderFactory,
    PaymentFactory,
    RefundFactory,
    ReturnRequestFactory,
    ShipmentFactory,
)
from tests.withdrawals.fixtures import delivered_order, helsinki, set_withdrawal_settings

pytestmark = pytest.mark.django_db

NOTIFIED = helsinki(2026, 11, 10, 9, 15)  # refund due 24 November


@pytest.fixture
def withdrawal(shop_a):
    order = delivered_order(shop_a.shop)
    return withdrawals.notify_withdrawal(shop_a.shop, order, now=NOTIFIED)


def row_of(html, code):
    start = html.index(f'data-case="{code}"')
    return html[start : html.index("</tr>", start)]


def test_it_shows_days_left_and_that_holding_is_allowed(login, shop_a, withdrawal):
    with time_machine.travel(helsinki(2026, 11, 12, 10), tick=False):
        html = login(shop_a.staff).get("/withdrawals/").content.decode()
    row = row_of(html, withdrawal.code)
    assert '<span class="badge ok">12</span>' in row
    assert "holding allowed: goods not back yet" in row
    assert "acknowledgement unsent" in row  # no mail went out in this test
    assert 'id="deadline-warning"' not in html


def test_it_warns_three_days_before_and_when_overdue(login, shop_a, withdrawal):
    client = login(shop_a.staff)
    with time_machine.travel(helsinki(2026, 11, 21, 10), tick=False):
        html = client.get("/withdrawals/").content.decode()
    assert '<span class="badge warn">3</span>' in row_of(html, withdrawal.code)
    assert "1 refund is due within 3 days or overdue." in html
    with time_machine.travel(helsinki(2026, 11, 25, 10), tick=False):
        html = client.get("/withdrawals/").content.decode()
    assert '<span class="badge bad">overdue</span>' in row_of(html, withdrawal.code)


def test_it_lists_a_return_registered_as_a_withdrawal_with_its_deadline(login, shop_a):
    order = delivered_order(shop_a.shop)
    returned = ReturnRequestFactory(order=order, state="approved", requested_at=NOTIFIED)
    with time_machine.travel(helsinki(2026, 11, 23, 10), tick=False):
        html = login(shop_a.staff).get("/withdrawals/").content.decode()
    row = row_of(html, returned.code)
    assert '<span class="badge warn">1</span>' in row
    assert "holding allowed" in row


def test_it_records_whether_the_refund_was_on_time(login, shop_a, withdrawal):
    client = login(shop_a.staff)
    with time_machine.travel(helsinki(2026, 11, 15, 10), tick=False):
        client.post(f"/withdrawals/{withdrawal.pk}/goods-back/")
        response = client.post(f"/withdrawals/{withdrawal.pk}/refund/", follow=True)
    withdrawal.refresh_from_db()
    assert withdrawal.goods_back_at is not None
    assert withdrawal.refunded_on_time is True
    assert withdrawal.refund.amount_cents == 2 * 4990  # both shirts, no shipping charged
    html = response.content.decode()
    assert "Refunded on time." in html
    assert '<span class="badge ok">on time</span>' in html


def test_it_flags_a_late_refund(shop_a, withdrawal):
    late = withdrawals.refund_withdrawal(shop_a.shop, withdrawal, now=helsinki(2026, 11, 25, 9))
    assert late.refunded_on_time is False


def test_it_refuses_another_shops_withdrawal(login, shop_a, shop_b):
    foreign = withdrawals.notify_withdrawal(shop_b.shop, delivered_order(shop_b.shop), now=NOTIFIED)
    client = login(shop_a.staff)
    assert foreign.code not in client.get("/withdrawals/").content.decode()
    assert client.post(f"/withdrawals/{foreign.pk}/goods-back/").status_code == 404
    assert client.post(f"/withdrawals/{foreign.pk}/refund/").status_code == 404
    assert Withdrawal.objects.get(pk=foreign.pk).refund is None


def test_it_requires_a_signed_in_member(client, outsider, login):
    assert client.get("/withdrawals/").status_code == 302
    assert login(outsider).get("/withdrawals/").status_code == 403


def test_only_an_owner_saves_the_settings(login, shop_a):
    assert login(shop_a.staff).post("/withdrawals/settings/", {}).status_code == 403


def test_it_shows_what_was_withdrawn_in_a_fixed_number_of_queries(
    login, shop_a, withdrawal, django_assert_max_num_queries
):
    client = login(shop_a.staff)
    client.get("/withdrawals/")  # warm the session
    for _n in range(5):
        withdrawals.notify_withdrawal(shop_a.shop, delivered_order(shop_a.shop), now=NOTIFIED)
    with time_machine.travel(helsinki(2026, 11, 12, 10), tick=False):
        with django_assert_max_num_queries(20):
            html = client.get("/withdrawals/").content.decode()
    row = row_of(html, withdrawal.code)
    items = row[row.index('<span class="help">') :]
    assert items.startswith('<span class="help">Merino shirt M, Wool socks 0</span>'), items


def test_it_shows_a_late_return_refund(login, shop_a):
    from aftersale.returns import services

    order = delivered_order(shop_a.shop)
    returned = ReturnRequestFactory(order=order, state="inspected", requested_at=NOTIFIED)
    services.refund_return(shop_a.shop, returned, now=helsinki(2026, 11, 26, 10))
    html = login(shop_a.staff).get("/withdrawals/").content.decode()
    start = html.index(f'data-refund="{returned.code}"')
    assert '<span class="badge bad">late</span>' in html[start : html.index("</tr>", start)]


def test_an_owner_sets_the_fee_and_the_informed_flag(login, shop_a):
    client = login(shop_a.owner)
    response = client.post("/withdrawals/settings/", {"unclaimed_fee_cents": "1290"}, follow=True)
    assert "Withdrawal settings saved." in response.content.decode()
    saved = deadlines.settings_for(shop_a.shop)
    assert saved.unclaimed_fee_cents == 1290
    assert saved.informed_of_withdrawal_right is False  # the box was left unticked


def test_it_names_the_field_of_a_bad_fee(login, shop_a):
    client = login(shop_a.owner)
    response = client.post(
        "/withdrawals/settings/",
        {"unclaimed_fee_cents": "-5", "informed_of_withdrawal_right": "on"},
        follow=True,
    )
    html = response.content.decode()
    assert "Fee for an unclaimed parcel (cents): Ensure this value is greater than" in html
    assert deadlines.settings_for(shop_a.shop).pk is None


def open_withdrawal_returns(shop, count, first_day=1):
    """``count`` open returns registered as withdrawals, requested a day apart from November."""
    return [
        ReturnRequestFactory(
            order=OrderFactory(shop=shop),
            kind="withdrawal",
            state="approved",
            requested_at=helsinki(2026, 11, first_day, 9) + timedelta(days=index),
        )
        for index in range(count)
    ]


def test_it_pages_open_cases_soonest_due_first_and_warns_about_all(login, shop_a, withdrawal):
    returns = open_withdrawal_returns(shop_a.shop, 26)
    client = login(shop_a.staff)
    with time_machine.travel(helsinki(2026, 11, 12, 10), tick=False):
        first = client.get("/withdrawals/")
        second = client.get("/withdrawals/", {"page": 2})
    codes = [row["code"] for row in first.context["rows"]]
    assert len(codes) == 25
    assert codes[:3] == [returns[0].code, returns[1].code, returns[2].code]
    assert "Page 1 of 2" in first.content.decode()
    # Due 24 November: the withdrawal sorts among the returns requested on 10 and 11 November.
    rest = [row["code"] for row in second.context["rows"]]
    assert set(codes).isdisjoint(rest)
    assert len(codes) + len(rest) == 27
    assert withdrawal.code in codes
    with time_machine.travel(helsinki(2026, 11, 20, 10), tick=False):
        html = client.get("/withdrawals/", {"page": 2}).content.decode()
    # Requested 1-6 November: overdue; 7-9 November: due within three days.
    assert "9 refunds are due within 3 days or overdue." in html


def unclaimed_parcels(shop, count):
    for _n in range(count):
        order = OrderFactory(shop=shop)
        PaymentFactory(order=order)
        ShipmentFactory(order=order, status="returned_to_sender")


def test_the_page_costs_the_same_queries_for_few_or_many_cases(
    login, shop_a, django_assert_num_queries
):
    client = login(shop_a.staff)
    client.get("/withdrawals/")  # warm the session
    open_withdrawal_returns(shop_a.shop, 2)
    unclaimed_parcels(shop_a.shop, 2)
    with CaptureQueriesContext(connection) as few:
        client.get("/withdrawals/")
    open_withdrawal_returns(shop_a.shop, 30, first_day=3)
    unclaimed_parcels(shop_a.shop, 30)
    with django_assert_num_queries(len(few)):
        html = client.get("/withdrawals/").content.decode()
    assert html.count("data-shipment=") == 32
    assert html.count("data-case=") == 25


def test_a_returned_parcel_shows_what_was_paid_minus_refunds_and_the_fee(login, shop_a):
    set_withdrawal_settings(shop_a.shop, unclaimed_fee_cents=790)
    order = OrderFactory(shop=shop_a.shop, total_cents=8280)
    PaymentFactory(order=order, amount_cents=8280)
    RefundFactory(order=order, amount_cents=1000)
    ShipmentFactory(order=order, status="returned_to_sender")
    unpaid = OrderFactory(shop=shop_a.shop, total_cents=2000)  # no payment recorded: the total
    ShipmentFactory(order=unpaid, status="returned_to_sender")
    html = login(shop_a.staff).get("/withdrawals/").content.decode()
    refund = unclaimed.UnclaimedRefund
    assert unclaimed.refund_previews(shop_a.shop, [order, unpaid]) == {
        order.pk: refund(
            paid_cents=8280, refunded_before_cents=1000, fee_cents=790, refund_cents=6490
        ),
        unpaid.pk: refund(
            paid_cents=2000, refunded_before_cents=0, fee_cents=790, refund_cents=1210
        ),
    }
    assert unclaimed.refund_preview(shop_a.shop, order) == refund(8280, 1000, 790, 6490)
    assert "64.90" in html and "12.10" in html


def test_returned_parcels_come_newest_first_and_only_this_shops(login, shop_a, shop_b):
    days = [3, 9, 5]
    parcels = [
        ShipmentFactory(
            order=OrderFactory(shop=shop_a.shop),
            status="returned_to_sender",
            returned_at=helsinki(2026, 11, day, 12),
        )
        for day in days
    ]
    foreign = ShipmentFactory(order=OrderFactory(shop=shop_b.shop), status="returned_to_sender")
    html = login(shop_a.staff).get("/withdrawals/").content.decode()
    shown = [html.index(f'data-shipment="{parcel.pk}"') for parcel in parcels]
    assert shown[1] < shown[2] < shown[0]
    assert f'data-shipment="{foreign.pk}"' not in html


def test_the_warnings_counted_in_the_database_match_each_cases_countdown(shop_a, withdrawal):
    """Around the end of a day and across the change to winter time (25 October 2026)."""
    from aftersale.backoffice.views.withdrawals import OpenCases

    returns = open_withdrawal_returns(shop_a.shop, 12, first_day=1)
    returns += [
        ReturnRequestFactory(
            order=OrderFactory(shop=shop_a.shop),
            kind="withdrawal",
            state="requested",
            requested_at=helsinki(2026, 10, 11, 23, 30) + timedelta(hours=7 * index),
        )
        for index in range(12)
    ]
    cases = OpenCases(shop_a.shop)
    every = cases[0 : cases.count()]
    assert len(every) == 25
    assert every == sorted(every)  # soonest due first, withdrawals and returns merged
    assert every[:5] + every[5:10] == cases[0:10]
    for now in (
        helsinki(2026, 10, 24, 23, 59),
        helsinki(2026, 10, 25, 0, 1),
        helsinki(2026, 10, 28, 12, 0),
        helsinki(2026, 11, 14, 23, 59) + timedelta(seconds=59),
        helsinki(2026, 11, 15, 0, 0),
        helsinki(2026, 11, 21, 9, 15),
    ):
        expected = sum(
            1
            for due, _kind, _pk in every
            if deadlines.countdown(due, shop_a.shop, now).level != "ok"
        )
        assert cases.warnings(now) == expected, now
