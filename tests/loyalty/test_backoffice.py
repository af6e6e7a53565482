"""The loyalty pages of the back-office: settings and versioned rules, tiers, members, a
member's ledger with manual adjustments, the liability report; shop A never sees shop B's."""

from __future__ import annotations

from datetime import date

import pytest

from aftersale.loyalty import services
from aftersale.loyalty.models import CustomerPoints, EarningRule, LedgerEntry, Tier
from aftersale.privacy.models import AuditEntry
from tests.factories import CustomerFactory


def earn(shop, customer, points, source_id=1):
    return services.earn(
        shop,
        customer,
        points=points,
        source_type="order_line",
        source_id=source_id,
        rule=services.current_rule(shop),
        vests_on=date(2026, 11, 20),
    )


def test_the_owner_saves_the_programme_and_it_is_audited(login, shop_a, programme):
    response = login(shop_a.owner).post(
        "/loyalty/",
        {
            "save": "programme",
            "programme-enabled": "on",
            "programme-starts_at": "2026-10-26T00:00",
            "programme-tier_basis": "vested_points",
            "programme-grace_days": "60",
            "programme-expiry_months": "24",
            "programme-point_value_cents": "5",
        },
    )
    assert response.status_code == 302
    programme_row = services.programme_for(programme)
    assert (programme_row.tier_basis, programme_row.grace_days) == ("vested_points", 60)
    assert AuditEntry.objects.filter(shop=programme, action="settings_changed").exists()


def test_a_rule_change_is_a_new_version_and_the_page_lists_them(login, shop_a, programme):
    client = login(shop_a.owner)
    data = {
        "save": "rule",
        "rule-points_per_euro": "3",
        "rule-first_order_bonus": "100",
        "rule-review_bonus": "50",
        "rule-referral_advocate_points": "0",
        "rule-referral_friend_points": "0",
    }
    assert client.post("/loyalty/", data).status_code == 302
    assert list(
        EarningRule.objects.for_shop(programme).values_list("version", "points_per_euro")
    ) == [(2, 3), (1, 2)]
    html = client.get("/loyalty/").content.decode()
    assert "data-rules" in html and "Earning rules" in html


def test_bad_rule_input_names_the_field(login, shop_a, programme):
    response = login(shop_a.owner).post("/loyalty/", {"save": "rule", "rule-points_per_euro": "-1"})
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 0" in response.content.decode()
    assert EarningRule.objects.for_shop(programme).count() == 1


def test_staff_may_look_but_not_change_the_programme(login, shop_a, programme):
    client = login(shop_a.staff)
    assert client.get("/loyalty/").status_code == 200
    response = client.post("/loyalty/", {"save": "rule", "rule-points_per_euro": "9"})
    assert response.status_code == 404
    assert EarningRule.objects.for_shop(programme).count() == 1


def test_the_owner_adds_and_removes_tiers(login, shop_a, programme):
    client = login(shop_a.owner)
    response = client.post(
        "/loyalty/",
        {
            "save": "tier",
            "tier-name": "Platinum",
            "tier-threshold": "1000",
            "tier-multiplier_percent": "200",
        },
    )
    assert response.status_code == 302
    platinum = Tier.objects.get(shop=programme, name="Platinum")
    assert platinum.threshold == 100000  # euros of net spend, stored in cents
    duplicate = client.post(
        "/loyalty/",
        {
            "save": "tier",
            "tier-name": "Again",
            "tier-threshold": "1000",
            "tier-multiplier_percent": "100",
        },
    )
    assert "Another tier has this threshold" in duplicate.content.decode()
    assert client.post(f"/loyalty/tiers/{platinum.pk}/delete/").status_code == 302
    assert not Tier.objects.filter(name="Platinum").exists()


def test_a_foreign_shops_tier_cannot_be_removed(login, shop_a, shop_b, programme):
    foreign = Tier.objects.create(shop=shop_b.shop, name="B", threshold=1)
    assert login(shop_a.owner).post(f"/loyalty/tiers/{foreign.pk}/delete/").status_code == 404
    assert Tier.objects.filter(pk=foreign.pk).exists()


def test_the_members_list_is_paginated_with_few_queries(
    login, shop_a, shop_b, programme, django_assert_max_num_queries
):
    for n in range(30):
        earn(programme, CustomerFactory(shop=programme, last_name=f"Jäsen{n:02}"), 10 + n)
    earn(shop_b.shop, CustomerFactory(shop=shop_b.shop, last_name="Vieras"), 5)
    client = login(shop_a.staff)
    with django_assert_max_num_queries(12):
        html = client.get("/loyalty/members/").content.decode()
    assert html.count("/loyalty/members/") >= 25
    assert "Vieras" not in html
    assert "Page 1 of 2" in html


def test_staff_adjust_a_members_points_with_a_reason(login, shop_a, programme):
    customer = CustomerFactory(shop=programme)
    earn(programme, customer, 80)
    client = login(shop_a.staff)
    refused = client.post(f"/loyalty/members/{customer.pk}/", {"points": "25", "reason": ""})
    assert refused.status_code == 400
    assert "This field is required" in refused.content.decode()
    zero = client.post(f"/loyalty/members/{customer.pk}/", {"points": "0", "reason": "x"})
    assert "other than zero" in zero.content.decode()
    assert not LedgerEntry.objects.filter(kind="adjust").exists()
    response = client.post(
        f"/loyalty/members/{customer.pk}/", {"points": "25", "reason": "Late parcel"}
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="adjust")
    assert (entry.points, entry.reason, entry.created_by) == (25, "Late parcel", shop_a.staff)
    html = client.get(f"/loyalty/members/{customer.pk}/").content.decode()
    assert '<dd data-points="available">25</dd>' in html
    assert '<dd data-points="pending">80</dd>' in html
    assert "Late parcel · a-staff" in html


def test_a_foreign_shops_customer_cannot_be_adjusted(login, shop_a, shop_b, programme):
    foreign = CustomerFactory(shop=shop_b.shop)
    response = login(shop_a.owner).post(
        f"/loyalty/members/{foreign.pk}/", {"points": "25", "reason": "x"}
    )
    assert response.status_code == 404
    assert not CustomerPoints.objects.filter(customer=foreign).exists()


def test_the_liability_report_values_outstanding_points(login, shop_a, shop_b, programme):
    services.save_programme(programme, point_value_cents=5)
    first, second = CustomerFactory(shop=programme), CustomerFactory(shop=programme)
    services.vest(programme, earn(programme, first, 1000))
    earn(programme, second, 300, source_id=2)
    earn(shop_b.shop, CustomerFactory(shop=shop_b.shop), 99999, source_id=3)
    html = login(shop_a.staff).get("/loyalty/liability/").content.decode()
    assert "1,000 · €50.00" in html or "1 000 · 50,00" in html.replace("\xa0", " ")
    assert "300 · €15.00" in html or "300 · 15,00" in html.replace("\xa0", " ")
    assert "99,999" not in html and "99 999" not in html.replace("\xa0", " ")


@pytest.mark.parametrize(
    "url", ["/loyalty/", "/loyalty/members/", "/loyalty/liability/", "/loyalty/effect/"]
)
def test_the_pages_open_for_staff(login, shop_a, programme, url):
    assert login(shop_a.staff).get(url).status_code == 200


def test_the_liability_report_reads_a_kept_total_not_every_member(
    login, shop_a, programme, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(shop_a.staff)
    earn(programme, CustomerFactory(shop=programme), 10)
    client.get("/loyalty/liability/")
    with CaptureQueriesContext(connection) as few:
        client.get("/loyalty/liability/")
    for n in range(30):
        earn(programme, CustomerFactory(shop=programme), 10, source_id=100 + n)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/loyalty/liability/").content.decode()
    assert len(many) == len(few)  # the same queries for 1 member or 31
    assert not [q for q in many.captured_queries if "loyalty_customerpoints" in q["sql"]]
    assert "<dd data-pending>310 ·" in html


def test_the_kept_total_moves_with_every_ledger_write(programme, shop_b):
    from aftersale.loyalty import selectors

    first, second = CustomerFactory(shop=programme), CustomerFactory(shop=programme)
    entry = earn(programme, first, 1000)
    earn(programme, second, 300, source_id=2)
    services.vest(programme, entry)
    services.redeem(programme, first, points=200, source_type="reward", source_id=1)
    services.adjust(programme, second, points=-50, reason="typo", staff_user=None)
    services.reverse(programme, entry, natural_key="r1", reason="returned", share=(1, 2))
    earn(shop_b.shop, CustomerFactory(shop=shop_b.shop), 99999, source_id=3)
    kept = selectors.liability(programme, 1)
    truth = selectors.liability_from_members(programme)
    assert (kept.members, kept.available, kept.pending) == (2, 1000 - 200 - 50 - 500, 300)
    assert (kept.members, kept.available, kept.pending) == (
        truth.members,
        truth.available,
        truth.pending,
    )
