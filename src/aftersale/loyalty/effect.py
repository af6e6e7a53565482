"""Does the programme make customers come back? Members against a matched group of
non-members, not against everyone else.

Members choose to join, and the customers who would have come back anyway are the likeliest to
join: comparing members with all other customers credits the programme with that difference.
So each member is compared only with non-members who looked the same at their first order:

- the same **month of first order** (the same time to come back, the same season);
- the same **first-order value band** (under 25 €, 25–50 €, 50–100 €, 100–200 €, 200 € or more);
- the same **channel** of the first order (its delivery method: pickup point, locker, home,
  store).

Customers are grouped by these three; only groups with at least one member and one non-member
count. In each group the non-members' averages are weighted by the group's number of members
(the effect on those who joined, "ATT"). The report shows, for matched members and their
matched non-members: the **repeat rate** (share with a second kept order) and the **net margin
per customer** (goods without VAT minus their cost, less refunds, over every kept order). The
unmatched comparison (members against all non-members) is shown beside it for contrast.

The worker computes it daily (and on request from the back-office), reading the shop's orders
once in aggregate queries; the page reads the stored result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersale.loyalty.models import CustomerPoints, EffectReport
from aftersale.orders.models import Customer, Order, OrderLine, Refund

VALUE_BANDS_CENTS = (2500, 5000, 10000, 20000)


def value_band(cents: int) -> int:
    """0 for under 25 €, 1 for 25–50 €, … 4 for 200 € or more."""
    return sum(cents >= edge for edge in VALUE_BANDS_CENTS)


@dataclass
class Person:
    stratum: tuple[str, int, str]
    member: bool
    repeat: bool
    margin_cents: int


def people(shop) -> list[Person]:
    """Every customer with a kept order: their stratum at the first order and the outcomes."""
    kept = Order.objects.for_shop(shop).exclude(status=Order.Status.CANCELLED)
    first = kept.filter(customer=OuterRef("pk")).order_by("placed_at", "id")
    customers = (
        Customer.objects.for_shop(shop)
        .annotate(
            first_at=Subquery(first.values("placed_at")[:1]),
            first_total=Subquery(first.values("total_cents")[:1]),
            first_channel=Subquery(first.values("delivery_method")[:1]),
        )
        .filter(first_at__isnull=False)
        .values_list("pk", "first_at", "first_total", "first_channel")
    )
    orders = dict(
        kept.order_by()
        .values("customer_id")
        .annotate(n=Count("id"))
        .values_list("customer_id", "n")
    )
    margin = ExpressionWrapper(
        F("total_cents")
        - F("vat_cents")
        - Coalesce(F("unit_cost_cents"), Value(0)) * F("quantity"),
        output_field=IntegerField(),
    )
    goods = dict(
        OrderLine.objects.for_shop(shop)
        .exclude(order__status=Order.Status.CANCELLED)
        .order_by()
        .values("order__customer_id")
        .annotate(m=Sum(margin))
        .values_list("order__customer_id", "m")
    )
    refunds = dict(
        Refund.objects.for_shop(shop)
        .order_by()
        .values("order__customer_id")
        .annotate(r=Sum("amount_cents"))
        .values_list("order__customer_id", "r")
    )
    members = set(CustomerPoints.objects.for_shop(shop).values_list("customer_id", flat=True))
    zone = timezone.get_current_timezone()
    return [
        Person(
            stratum=(
                f"{timezone.localtime(first_at, zone):%Y-%m}",
                value_band(first_total or 0),
                first_channel or "",
            ),
            member=pk in members,
            repeat=orders.get(pk, 0) >= 2,
            margin_cents=(goods.get(pk) or 0) - (refunds.get(pk) or 0),
        )
        for pk, first_at, first_total, first_channel in customers.iterator(chunk_size=5000)
    ]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def compare(persons: list[Person]) -> dict:
    """The matched comparison (see the module's docstring) and the naive one beside it."""
    strata: dict[tuple, list[Person]] = defaultdict(list)
    for person in persons:
        strata[person.stratum].append(person)
    matched_members: list[Person] = []
    weighted_repeat = weighted_margin = 0.0
    matched_non_members = 0
    for group in strata.values():
        members = [p for p in group if p.member]
        others = [p for p in group if not p.member]
        if not members or not others:
            continue
        matched_members += members
        matched_non_members += len(others)
        weighted_repeat += len(members) * _mean([p.repeat for p in others])
        weighted_margin += len(members) * _mean([p.margin_cents for p in others])
    all_members = [p for p in persons if p.member]
    all_others = [p for p in persons if not p.member]
    count = len(matched_members)
    return {
        "members": len(all_members),
        "members_matched": count,
        "non_members_matched": matched_non_members,
        "strata": sum(
            1 for g in strata.values() if any(p.member for p in g) and not all(p.member for p in g)
        ),
        "matched": {
            "members_repeat_rate": _mean([p.repeat for p in matched_members]),
            "non_members_repeat_rate": weighted_repeat / count if count else 0.0,
            "members_margin_cents": round(_mean([p.margin_cents for p in matched_members])),
            "non_members_margin_cents": round(weighted_margin / count) if count else 0,
        },
        "naive": {
            "members_repeat_rate": _mean([p.repeat for p in all_members]),
            "non_members_repeat_rate": _mean([p.repeat for p in all_others]),
            "members_margin_cents": round(_mean([p.margin_cents for p in all_members])),
            "non_members_margin_cents": round(_mean([p.margin_cents for p in all_others])),
        },
    }


def compute_effect_report(shop) -> EffectReport:
    with timezone.override(shop.time_zone):
        data = compare(people(shop))
    report, _created = EffectReport.objects.update_or_create(
        shop=shop, defaults={"computed_at": timezone.now(), "data": data}
    )
    return report


def compute_all_effect_reports() -> None:
    """The daily job: every shop with a programme, stopping between shops when asked."""
    from aftersale.core.worker import check_stop
    from aftersale.loyalty.models import LoyaltyProgramme

    for programme in LoyaltyProgramme.objects.filter(enabled=True).select_related("shop"):
        check_stop()
        compute_effect_report(programme.shop)
