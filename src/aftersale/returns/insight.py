"""Return insight: how often and why products and categories come back, and what to fix.

Rates are by order cohort: units returned from orders placed in the period divided by the
units sold in those orders (rejected returns do not count). A product with at least
``MIN_RETURNS_TO_FLAG`` returned units is flagged when size reasons (too small / too large)
make up at least ``SIZE_SHARE_TO_FLAG`` of its returns — it needs a size chart or better size
advice — or "not as described" at least ``DESCRIBED_SHARE_TO_FLAG`` — it needs a better
description or pictures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Sum
from django.utils.translation import gettext as _

from aftersale.orders.models import OrderLine
from aftersale.returns.models import SIZE_REASONS, ReturnLine, ReturnReason, ReturnState

MIN_RETURNS_TO_FLAG = 3
SIZE_SHARE_TO_FLAG = 0.4
DESCRIBED_SHARE_TO_FLAG = 0.3


@dataclass
class ReturnFigures:
    name: str
    sold: int = 0
    returned: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    product_id: int | None = None

    @property
    def rate(self) -> float:
        return self.returned / self.sold if self.sold else 0.0

    def share(self, *reasons: str) -> float:
        if not self.returned:
            return 0.0
        return sum(self.reasons.get(str(reason), 0) for reason in reasons) / self.returned

    @property
    def top_reasons(self) -> list[tuple[str, int]]:
        labels = dict(ReturnReason.choices)
        ordered = sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))
        return [(str(labels.get(reason, reason)), count) for reason, count in ordered[:3]]


@dataclass
class Insight:
    products: list[ReturnFigures]
    categories: list[ReturnFigures]
    reasons: list[tuple[str, int]]
    sold: int
    returned: int

    @property
    def rate(self) -> float:
        return self.returned / self.sold if self.sold else 0.0

    @property
    def flagged(self) -> list[ReturnFigures]:
        return [product for product in self.products if product.flags]


def _flags(figures: ReturnFigures) -> list[str]:
    if figures.returned < MIN_RETURNS_TO_FLAG:
        return []
    flags = []
    if figures.share(*SIZE_REASONS) >= SIZE_SHARE_TO_FLAG:
        flags.append(_("Often returned for size: add a size chart or clearer size advice."))
    if figures.share(ReturnReason.NOT_AS_DESCRIBED) >= DESCRIBED_SHARE_TO_FLAG:
        flags.append(_('Often "not as described": improve the description and pictures.'))
    return flags


def return_insight(shop, *, since: datetime) -> Insight:
    """Return rate and reasons per product and per category for orders placed since ``since``."""
    uncategorised = _("No category")
    sold_rows = (
        OrderLine.objects.for_shop(shop)
        .filter(order__placed_at__gte=since, variant__isnull=False)
        .values("variant__product_id", "variant__product__name", "variant__product__category__name")
        .annotate(units=Sum("quantity"))
    )
    products: dict[int, ReturnFigures] = {}
    category_of: dict[int, str] = {}
    for row in sold_rows:
        product_id = row["variant__product_id"]
        products[product_id] = ReturnFigures(
            name=row["variant__product__name"], sold=row["units"] or 0, product_id=product_id
        )
        category_of[product_id] = row["variant__product__category__name"] or uncategorised

    returned_rows = (
        ReturnLine.objects.for_shop(shop)
        .filter(order_line__order__placed_at__gte=since, order_line__variant__isnull=False)
        .exclude(return_request__state=ReturnState.REJECTED)
        .values("order_line__variant__product_id", "reason")
        .annotate(units=Sum("quantity"))
    )
    reasons_total: dict[str, int] = defaultdict(int)
    for row in returned_rows:
        figures = products.get(row["order_line__variant__product_id"])
        if figures is None:
            continue
        figures.returned += row["units"]
        figures.reasons[row["reason"]] = figures.reasons.get(row["reason"], 0) + row["units"]
        reasons_total[row["reason"]] += row["units"]

    categories: dict[str, ReturnFigures] = {}
    for product_id, figures in products.items():
        figures.flags = _flags(figures)
        category = categories.setdefault(
            category_of[product_id], ReturnFigures(name=category_of[product_id])
        )
        category.sold += figures.sold
        category.returned += figures.returned
        for reason, units in figures.reasons.items():
            category.reasons[reason] = category.reasons.get(reason, 0) + units

    def by_returns(items):
        return sorted(items, key=lambda f: (-f.returned, -f.rate, f.name))

    labels = dict(ReturnReason.choices)
    return Insight(
        products=by_returns(products.values()),
        categories=by_returns(categories.values()),
        reasons=[
            (str(labels.get(reason, reason)), units)
            for reason, units in sorted(reasons_total.items(), key=lambda item: -item[1])
        ],
        sold=sum(f.sold for f in products.values()),
        returned=sum(f.returned for f in products.values()),
    )
