"""The portal's "Withdraw from contract here": the stable per-shop address, the order page's
link, choosing items without a reason, the confirmation step, refusal after the period, and
nobody else's order."""

from __future__ import annotations

import pytest
import time_machine

from aftersale.returns import withdrawals
from aftersale.returns.models import Withdrawal
from tests.withdrawals.fixtures import delivered_order, helsinki, pdf_text

pytestmark = pytest.mark.django_db

WITHIN = helsinki(2026, 11, 10, 9, 15)
AFTER = helsinki(2026, 11, 20, 8, 0)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(WITHIN, tick=False):
        yield


def find(client, order, email=None):
    return client.post(
        f"/s/{order.shop.slug}/withdraw/",
        {"number": order.number, "email": email or order.customer.email},
    )


def test_it_offers_the_function_at_a_stable_address_without_signing_in(client, shop_a):
    response = client.get("/s/pohjola/withdraw/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Withdraw from contract here</h1>" in html
    assert 'name="number"' in html and 'name="email"' in html


def test_it_withdraws_after_finding_the_order_and_confirming(client, shop_a):
    order = delivered_order(shop_a.shop, lines=2)
    first, second = order.lines.order_by("id")
    response = find(client, order, email=order.customer.email.upper())
    assert response.status_code == 302
    assert response.url == f"/s/pohjola/withdraw/{order.pk}/"

    form = client.get(response.url).content.decode()
    assert "Merino shirt M" in form and "Wool socks 0" in form
    assert "no reason is needed" in form
    main = form[form.index("<main") :]
    assert "<select" not in main and "<textarea" not in main  # only which items: no reason
    review = client.post(response.url, {"step": "review", "lines": [second.pk]})
    assert review.status_code == 200
    assert "Confirm withdrawal" in review.content.decode()
    assert not Withdrawal.objects.exists()

    done = client.post(response.url, {"step": "confirm", "lines": [second.pk]})
    withdrawal = Withdrawal.objects.get()
    assert done.url == f"/s/pohjola/withdrawals/{withdrawal.code}/"
    assert withdrawal.notified_at == WITHIN
    assert list(withdrawal.lines.values_list("order_line_id", flat=True)) == [second.pk]
    receipt = client.get(done.url).content.decode()
    assert "Your withdrawal has been received" in receipt
    assert "09:15:00" in receipt  # the exact time, in the shop's time zone
    assert first.name not in receipt
    pdf = client.get(f"/s/pohjola/withdrawals/{withdrawal.code}/acknowledgement.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert "Notice of withdrawal received" in pdf_text(pdf.content)


def test_it_is_linked_from_the_order_page(client, shop_a):
    order = delivered_order(shop_a.shop)
    find(client, order)
    html = client.get(f"/s/pohjola/orders/{order.pk}/").content.decode()
    assert f'href="/s/pohjola/withdraw/{order.pk}/"' in html
    assert "Withdraw from contract here" in html


def test_it_asks_to_choose_at_least_one_item(client, shop_a):
    order = delivered_order(shop_a.shop)
    find(client, order)
    response = client.post(f"/s/pohjola/withdraw/{order.pk}/", {"step": "confirm"})
    assert response.status_code == 400
    assert "Choose at least one of the items" in response.content.decode()
    assert not Withdrawal.objects.exists()


def test_it_refuses_clearly_after_the_period_and_offers_a_complaint(client, shop_a):
    order = delivered_order(shop_a.shop)
    with time_machine.travel(AFTER, tick=False):
        find(client, order)
        response = client.get(f"/s/pohjola/withdraw/{order.pk}/")
        posted = client.post(f"/s/pohjola/withdraw/{order.pk}/", {"step": "confirm"})
    html = response.content.decode()
    assert response.status_code == 403 and posted.status_code == 403
    assert "The withdrawal period for this order ended on" in html
    assert f'href="/s/pohjola/orders/{order.pk}/return/"' in html
    assert not Withdrawal.objects.exists()


def test_it_gives_the_same_answer_for_a_wrong_email_and_limits_attempts(client, shop_a):
    order = delivered_order(shop_a.shop)
    wrong = find(client, order, email="someone@example.fi")
    assert wrong.status_code == 400
    assert "We could not find an order" in wrong.content.decode()
    for _attempt in range(4):
        find(client, order, email="someone@example.fi")
    too_many = find(client, order, email="someone@example.fi")
    assert too_many.status_code == 429
    assert "Too many attempts" in too_many.content.decode()


def test_it_sends_a_visitor_without_access_to_the_lookup(client, shop_a):
    order = delivered_order(shop_a.shop)
    response = client.get(f"/s/pohjola/withdraw/{order.pk}/")
    assert response.status_code == 302 and response.url == "/s/pohjola/withdraw/"


def test_it_hides_another_customers_order_and_withdrawal(client, shop_a):
    mine = delivered_order(shop_a.shop, email="aino@example.fi")
    theirs = delivered_order(shop_a.shop, email="eero@example.fi")
    find(client, theirs)
    client.post(f"/s/pohjola/withdraw/{theirs.pk}/", {"step": "confirm"})
    client.post(
        f"/s/pohjola/withdraw/{theirs.pk}/", {"step": "confirm", "lines": [theirs.lines.first().pk]}
    )
    code = Withdrawal.objects.get().code
    client.post("/s/pohjola/sign-out/")

    find(client, mine)
    assert client.get(f"/s/pohjola/withdraw/{theirs.pk}/").status_code == 404
    assert client.post(f"/s/pohjola/withdraw/{theirs.pk}/", {"step": "confirm"}).status_code == 404
    assert client.get(f"/s/pohjola/withdrawals/{code}/").status_code == 404
    assert client.get(f"/s/pohjola/withdrawals/{code}/acknowledgement.pdf").status_code == 404


def test_it_hides_a_foreign_shops_order(client, shop_a, shop_b):
    mine = delivered_order(shop_a.shop)
    foreign = delivered_order(shop_b.shop)
    find(client, mine)
    assert client.get(f"/s/pohjola/withdraw/{foreign.pk}/").status_code == 404
    code = withdrawals.notify_withdrawal(shop_b.shop, foreign).code
    assert client.get(f"/s/pohjola/withdrawals/{code}/").status_code == 404
    assert client.get(f"/s/pohjola/withdrawals/{code}/acknowledgement.pdf").status_code == 404
    # Shop B's order cannot be found through shop A's address either.
    response = client.post(
        "/s/pohjola/withdraw/", {"number": foreign.number, "email": foreign.customer.email}
    )
    assert response.status_code == 400
