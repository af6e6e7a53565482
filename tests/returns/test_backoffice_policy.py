"""The shop owner sets the return window, fees by method and the store-credit bonus."""

from __future__ import annotations

from aftersale.returns import policy


def test_the_owner_saves_the_policy(login, shop_a):
    client = login(shop_a.owner)
    assert client.get("/returns/policy/").status_code == 200
    response = client.post(
        "/returns/policy/",
        {
            "window_days": "30",
            "drop_off_fee": "4.90",
            "home_pickup_fee": "",
            "store_fee": "0",
            "bonus_percent": "15",
            "free_exchanges": "on",
            "return_address": "Varastokatu 3\n00580 Helsinki",
        },
    )
    assert response.status_code == 302
    shop_a.shop.refresh_from_db()
    saved = policy.policy_for(shop_a.shop)
    assert shop_a.shop.return_window_days == 30
    assert (saved.drop_off_fee_cents, saved.home_pickup_fee_cents, saved.store_fee_cents) == (
        490,
        None,
        0,
    )
    assert saved.store_credit_bonus_bp == 1500
    assert saved.free_exchanges and not saved.auto_approve_withdrawals
    assert policy.offered_methods(shop_a.shop) == ["drop_off", "store"]


def test_a_window_shorter_than_the_law_is_refused(login, shop_a):
    response = login(shop_a.owner).post(
        "/returns/policy/", {"window_days": "7", "drop_off_fee": "0", "bonus_percent": "0"}
    )
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 14." in response.content.decode()


def test_staff_and_other_shops_cannot_change_it(login, shop_a, shop_b, outsider):
    assert login(shop_a.staff).get("/returns/policy/").status_code == 404
    assert (
        login(outsider).get("/returns/policy/").status_code == 403
    )  # the "not a member of any shop" page
    login(shop_b.owner).post(
        "/returns/policy/", {"window_days": "60", "drop_off_fee": "0", "bonus_percent": "0"}
    )
    shop_a.shop.refresh_from_db()
    assert shop_a.shop.return_window_days == 14


def test_the_owner_sets_the_carrier_return_code(login, shop_a):
    client = login(shop_a.owner)
    form = {"window_days": "14", "drop_off_fee": "0", "bonus_percent": "0"}
    response = client.post("/returns/policy/", form | {"drop_off_code": "RET-1"})
    assert response.status_code == 400
    assert "Choose the carrier the return code is for." in response.content.decode()
    response = client.post(
        "/returns/policy/", form | {"drop_off_code": "RET-1", "drop_off_carrier": "posti"}
    )
    assert response.status_code == 302
    saved = policy.policy_for(shop_a.shop)
    assert (saved.drop_off_carrier, saved.drop_off_code) == ("posti", "RET-1")
