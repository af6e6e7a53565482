"""The effect report compares members with non-members who looked the same at their first
order, so self-selection does not pass for an effect."""

from __future__ import annotations

from datetime import UTC, datetime

from aftersale.loyalty import effect, services
from aftersale.loyalty.effect import Person, compare, value_band
from aftersale.loyalty.models import EffectReport
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, RefundFactory


def test_value_bands():
    assert [value_band(c) for c in (0, 2499, 2500, 9999, 10000, 19999, 20000)] == [
        0,
        0,
        1,
        2,
        3,
        3,
        4,
    ]


def test_members_are_compared_within_their_group_only():
    big_spenders = ("2026-01", 4, "home")
    small = ("2026-01", 0, "pickup_point")
    persons = [
        # Members joined mostly among big first orders, who come back anyway.
        Person(big_spenders, True, True, 9000),
        Person(big_spenders, True, True, 9000),
        Person(big_spenders, False, True, 8000),
        Person(big_spenders, False, False, 6000),
        # Small first orders rarely come back; one member among them.
        Person(small, True, False, 1000),
        Person(small, False, False, 500),
        Person(small, False, False, 500),
        Person(small, False, False, 500),
        Person(small, False, True, 2500),
        # A group without members does not count in the matched comparison.
        Person(("2025-05", 1, "store"), False, False, 100),
    ]
    result = compare(persons)
    assert (result["members"], result["members_matched"], result["non_members_matched"]) == (
        3,
        3,
        6,
    )
    matched = result["matched"]
    assert matched["members_repeat_rate"] == 2 / 3
    # Weighted by members: 2 × 1/2 (big) + 1 × 1/4 (small), over 3.
    assert matched["non_members_repeat_rate"] == (2 * 0.5 + 1 * 0.25) / 3
    assert matched["members_margin_cents"] == round((9000 + 9000 + 1000) / 3)
    assert matched["non_members_margin_cents"] == round((2 * 7000 + 1 * 1000) / 3)
    # The naive comparison (against every non-member) makes the programme look better.
    assert result["naive"]["non_members_repeat_rate"] == 2 / 7
    assert result["naive"]["non_members_repeat_rate"] < matched["non_members_repeat_rate"]


def test_it_reads_first_orders_outcomes_and_membership_from_the_shop(programme, shop_b):
    member = CustomerFactory(shop=programme)
    other = CustomerFactory(shop=programme)
    first = datetime(2026, 3, 3, 10, tzinfo=UTC)
    for customer in (member, other):
        order = OrderFactory(shop=programme, customer=customer, placed_at=first, total_cents=6000)
        OrderLineFactory(
            order=order, quantity=2, total_cents=6000, vat_cents=1000, unit_cost_cents=1500
        )
    OrderFactory(shop=programme, customer=member, placed_at=datetime(2026, 5, 1, tzinfo=UTC))
    RefundFactory(order=first_order_of(member), amount_cents=500)
    services.join(programme, member)
    OrderFactory(shop=shop_b.shop, placed_at=first)  # another shop's customer is not counted
    persons = {p.member: p for p in effect.people(programme)}
    assert persons[True].stratum == ("2026-03", 2, "pickup_point")
    assert (persons[True].repeat, persons[False].repeat) == (True, False)
    assert persons[True].margin_cents == 6000 - 1000 - 3000 - 500
    assert persons[False].margin_cents == 2000
    report = effect.compute_effect_report(programme)
    assert EffectReport.objects.get(shop=programme).pk == report.pk
    assert report.data["matched"]["members_repeat_rate"] == 1.0
    assert report.data["matched"]["non_members_repeat_rate"] == 0.0


def first_order_of(customer):
    return customer.orders.order_by("placed_at").first()


def test_the_page_shows_the_stored_report(login, shop_a, programme):
    EffectReport.objects.create(
        shop=programme,
        computed_at=datetime(2026, 11, 1, tzinfo=UTC),
        data=compare(
            [
                Person(("2026-01", 1, "home"), True, True, 5000),
                Person(("2026-01", 1, "home"), False, False, 2000),
            ]
        ),
    )
    html = login(shop_a.staff).get("/loyalty/effect/").content.decode()
    assert '<td class="num" data-members-repeat>100 %</td>' in html
    assert '<td class="num" data-matched-repeat>0 %</td>' in html


def test_compute_now_queues_the_report(login, shop_a, programme, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = login(shop_a.staff).post("/loyalty/effect/")
    assert response.status_code == 302
    assert EffectReport.objects.filter(shop=programme).exists()
