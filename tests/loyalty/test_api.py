"""API v1 for the shop's checkout: a customer's balance, tier and ledger; never another
shop's customer."""

from __future__ import annotations

from datetime import date

import pytest

from aftersale.loyalty import services
from tests.factories import CustomerFactory


@pytest.fixture
def customer(programme):
    customer = CustomerFactory(shop=programme, external_id="c/42")
    for n in range(5):
        services.earn(
            programme,
            customer,
            points=100 + n,
            source_type="order_line",
            source_id=n,
            rule=services.current_rule(programme),
            vests_on=date(2026, 11, 20 + n % 2),
        )
    services.adjust(programme, customer, points=7, reason="Welcome", staff_user=None)
    return customer


def test_it_gives_the_balance_vesting_days_and_tier(api, programme, customer):
    response = api(programme).get("/customers/c%2F42/loyalty")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["member"], body["available"], body["pending"]) == (True, 7, 510)
    assert body["vesting"] == [
        {"date": "2026-11-20", "points": 100 + 102 + 104},
        {"date": "2026-11-21", "points": 101 + 103},
    ]
    assert body["tier"] is None
    assert body["next_tier"]["name"] == "Silver"
    assert (body["tier_basis"], body["to_next_tier"]) == ("net_spend", 20000)


def test_a_customer_who_never_joined_has_no_points(api, programme):
    CustomerFactory(shop=programme, external_id="new")
    body = api(programme).get("/customers/new/loyalty").json()
    assert (body["member"], body["available"], body["pending"], body["vesting"]) == (
        False,
        0,
        0,
        [],
    )


def test_the_ledger_comes_in_pages_newest_first(api, programme, customer):
    client = api(programme)
    first = client.get("/customers/c%2F42/loyalty/ledger", {"limit": 4}).json()
    assert [e["kind"] for e in first["items"]] == ["adjust", "earn", "earn", "earn"]
    assert first["items"][1]["rule_version"] == 1
    second = client.get(
        "/customers/c%2F42/loyalty/ledger", {"limit": 4, "cursor": first["next_cursor"]}
    ).json()
    assert len(second["items"]) == 2 and second["next_cursor"] is None
    ids = [e["id"] for e in first["items"] + second["items"]]
    assert len(set(ids)) == 6


def test_a_bad_cursor_is_a_clear_400(api, programme, customer):
    response = api(programme).get("/customers/c%2F42/loyalty/ledger", {"cursor": "nope"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"parameter": "cursor", "detail": "is not a cursor of this API"}
    ]


def test_another_shops_customer_is_not_found(api, programme, customer, shop_b):
    services.save_programme(shop_b.shop, enabled=True)
    client = api(shop_b.shop)
    assert client.get("/customers/c%2F42/loyalty").status_code == 404
    assert client.get("/customers/c%2F42/loyalty/ledger").status_code == 404
    # Nor can shop B page through shop A's ledger with an entry id as cursor.
    CustomerFactory(shop=shop_b.shop, external_id="b-1")
    entry_id = customer.loyalty_entries.first().pk
    response = client.get("/customers/b-1/loyalty/ledger", {"cursor": str(entry_id)})
    assert response.status_code == 400


def test_a_shop_without_a_programme_answers_404(api, shop_b):
    CustomerFactory(shop=shop_b.shop, external_id="b-1")
    assert api(shop_b.shop).get("/customers/b-1/loyalty").status_code == 404


def test_it_needs_a_token(client, programme, customer):
    assert client.get("/api/v1/customers/c%2F42/loyalty").status_code == 401
