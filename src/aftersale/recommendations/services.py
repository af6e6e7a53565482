"""Recommendations: what to offer a customer or beside a product, and why.

Order of trust: what staff pinned, then the shop's own relations (required parts, accessories,
consumables, often bought with), then what customers kept together (``BoughtTogether``, mined
nightly). Never a product the customer already bought, never one that is out of stock, never a
substitute of what they bought, and never a variant that does not fit the variant bought.

Reviews weigh in (``reviews.figures.rating_scores``, one query per list): a product with a
poor rating (Bayesian average below 3.0 with at least 5 published reviews) is not offered
unless staff pinned it, and between equally placed candidates the better-rated one comes first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersale.catalog.models import Product, ProductRelation, Variant
from aftersale.core.models import Shop
from aftersale.orders.models import Customer, Order, OrderLine
from aftersale.recommendations.models import BoughtTogether, RecommendationRule
from aftersale.recommendations.selectors import kept_lines
from aftersale.reviews.figures import rating_scores

Kind = ProductRelation.Kind

# The shop's own relations, most necessary first. Substitutes are "instead of", never offered
# after a purchase; they exclude each other instead.
OFFERED_KINDS = (Kind.REQUIRED_PART, Kind.ACCESSORY, Kind.CONSUMABLE, Kind.OFTEN_BOUGHT_WITH)

# A score is a tier plus a part below one: a pin beats the shop's relations, which beat mining.
PINNED, SHOP_RELATION, MINED = 3.0, 2.0, 1.0

# How fast a past purchase stops mattering for a customer's recommendations (days to half).
HALF_LIFE_DAYS = 180


class Reason:
    PINNED = "pinned"
    REQUIRED_PART = Kind.REQUIRED_PART.value
    ACCESSORY = Kind.ACCESSORY.value
    CONSUMABLE = Kind.CONSUMABLE.value
    OFTEN_BOUGHT_WITH = Kind.OFTEN_BOUGHT_WITH.value
    BOUGHT_TOGETHER = "bought_together"


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One product to offer, the variant that is in stock and fits, and why (for staff)."""

    product: Product
    variant: Variant
    reason: str  # a Reason code
    reason_text: str
    score: float
    because_of: Product | None = None  # the product bought (or shown) it goes with


@dataclass(slots=True)
class _Anchor:
    product_id: int
    variant_id: int | None  # None: any variant (a product page)
    weight: float = 1.0


@dataclass(slots=True)
class _Candidate:
    score: float
    reason: str
    anchor_id: int
    fits: set[int | None]  # variants of the candidate that fit; None: any
    customers: int = 0
    lift: float = 0.0
    kind: str = ""
    extra: dict = field(default_factory=dict)


def recommend_for_customer(
    shop: Shop, customer: Customer, *, limit: int = 4, for_order: Order | None = None
) -> list[Recommendation]:
    """What to offer ``customer`` next: for what they kept from ``for_order``, or (without it)
    from everything they kept, recent purchases weighing more."""
    if customer.shop_id != shop.pk or (for_order is not None and for_order.shop_id != shop.pk):
        return []
    bought = set(
        OrderLine.objects.for_shop(shop)
        .filter(order__customer=customer, variant__isnull=False)
        .values_list("variant__product_id", flat=True)
    )
    lines = kept_lines(shop).filter(order__customer=customer)
    if for_order is not None:
        lines = lines.filter(order=for_order)
    now = timezone.now()
    anchors: dict[tuple[int, int], _Anchor] = {}
    for product_id, variant_id, placed_at in lines.values_list(
        "variant__product_id", "variant_id", "order__placed_at"
    ).order_by("-order__placed_at", "pk"):
        weight = 1.0 if for_order is not None else _recency(placed_at, now)
        anchors.setdefault((product_id, variant_id), _Anchor(product_id, variant_id, weight))
    return _recommend(shop, list(anchors.values()), exclude=bought, limit=limit)


def recommend_for_product(
    shop: Shop, product: Product, *, limit: int = 4, variant: Variant | None = None
) -> list[Recommendation]:
    """What goes with ``product`` (with ``variant`` of it, when given)."""
    if product.shop_id != shop.pk or (variant is not None and variant.product_id != product.pk):
        return []
    anchor = _Anchor(product.pk, variant.pk if variant else None)
    return _recommend(shop, [anchor], exclude={product.pk}, limit=limit)


def _recency(placed_at: datetime, now: datetime) -> float:
    days = max((now - placed_at).total_seconds() / 86400, 0.0)
    return 0.5 ** (days / HALF_LIFE_DAYS)


def _recommend(
    shop: Shop, anchors: list[_Anchor], *, exclude: set[int], limit: int
) -> list[Recommendation]:
    if not anchors or limit <= 0:
        return []
    anchor_ids = {a.product_id for a in anchors}
    excluded = set(exclude) | anchor_ids | _substitutes(shop, anchor_ids | set(exclude))
    rules = list(
        RecommendationRule.objects.for_shop(shop)
        .filter(product_id__in=anchor_ids)
        .order_by("created_at", "pk")
        .values_list("product_id", "related_id", "action")
    )
    blocked = {(p, r) for p, r, action in rules if action == RecommendationRule.Action.BLOCK}
    pinned: dict[int, list[int]] = {}
    for p, r, action in rules:
        if action == RecommendationRule.Action.PIN:
            pinned.setdefault(p, []).append(r)
    relations: dict[int, list[tuple[int, str, int | None, int | None, int]]] = {}
    fitting: dict[tuple[int, int], list[tuple[int | None, int | None]]] = {}
    for p, r, kind, source, target, position in (
        ProductRelation.objects.for_shop(shop)
        .filter(product_id__in=anchor_ids, kind__in=OFFERED_KINDS)
        .order_by("position", "pk")
        .values_list(
            "product_id",
            "related_id",
            "kind",
            "source_variant_id",
            "related_variant_id",
            "position",
        )
    ):
        relations.setdefault(p, []).append((r, kind, source, target, position))
        fitting.setdefault((p, r), []).append((source, target))
    fitting = {
        pair: rules for pair, rules in fitting.items() if rules != [(None, None)] * len(rules)
    }
    mined: dict[int, list[tuple[int, int, float, float]]] = {}
    for p, r, customers, lift, score in (
        BoughtTogether.objects.for_shop(shop)
        .filter(product_id__in=anchor_ids)
        .order_by("-score", "pk")
        .values_list("product_id", "related_id", "customers", "lift", "score")
    ):
        mined.setdefault(p, []).append((r, customers, lift, score))

    candidates: dict[int, _Candidate] = {}

    def offer(anchor: _Anchor, related: int, candidate: _Candidate) -> None:
        if related in excluded or (anchor.product_id, related) in blocked:
            return
        fits = _fits(fitting.get((anchor.product_id, related)), anchor.variant_id)
        if not fits:
            return  # the shop says which variants fit, and none fits the one bought
        if None not in fits:
            candidate.fits = fits if None in candidate.fits else candidate.fits & fits
        if not candidate.fits:
            return
        best = candidates.get(related)
        if best is None or candidate.score > best.score:
            candidates[related] = candidate

    for anchor in anchors:
        for position, related in enumerate(pinned.get(anchor.product_id, [])):
            within = anchor.weight * (1 - min(position, 49) / 50)
            offer(
                anchor,
                related,
                _Candidate(PINNED + within * 0.99, Reason.PINNED, anchor.product_id, {None}),
            )
        kind_rank = {kind.value: i for i, kind in enumerate(OFFERED_KINDS)}
        for related, kind, source, target, position in relations.get(anchor.product_id, []):
            if source is not None and anchor.variant_id is not None and source != anchor.variant_id:
                continue
            within = anchor.weight * (1 - (kind_rank[kind] * 50 + min(position, 49)) / 200)
            offer(
                anchor,
                related,
                _Candidate(
                    SHOP_RELATION + within * 0.99, kind, anchor.product_id, {target}, kind=kind
                ),
            )
        for related, customers, lift, score in mined.get(anchor.product_id, []):
            offer(
                anchor,
                related,
                _Candidate(
                    MINED + anchor.weight * score * 0.99,
                    Reason.BOUGHT_TOGETHER,
                    anchor.product_id,
                    {None},
                    customers=customers,
                    lift=lift,
                ),
            )
    ratings = rating_scores(shop, candidates)
    candidates = {
        related: candidate
        for related, candidate in candidates.items()
        if candidate.reason == Reason.PINNED or not ratings[related].poor
    }
    if not candidates:
        return []
    in_stock: dict[int, list[Variant]] = {}
    for variant in (
        Variant.objects.for_shop(shop)
        .filter(product_id__in=list(candidates), stock__gt=0)
        .order_by("-stock", "pk")
    ):
        in_stock.setdefault(variant.product_id, []).append(variant)
    chosen: list[tuple[_Candidate, int, Variant]] = []
    ranked = sorted(
        candidates.items(),
        key=lambda kv: (-kv[1].score, -ratings[kv[0]].score, -ratings[kv[0]].count, kv[0]),
    )
    for related, candidate in ranked:
        variants = [
            v for v in in_stock.get(related, []) if None in candidate.fits or v.pk in candidate.fits
        ]
        if variants:
            chosen.append((candidate, related, variants[0]))
        if len(chosen) == limit:
            break
    products = Product.objects.for_shop(shop).in_bulk(
        {related for _c, related, _v in chosen} | {c.anchor_id for c, _r, _v in chosen}
    )
    for _candidate, related, variant in chosen:
        variant.product = products[related]
    return [
        Recommendation(
            product=products[related],
            variant=variant,
            reason=candidate.reason,
            reason_text=_reason_text(candidate, products[candidate.anchor_id]),
            score=round(candidate.score, 6),
            because_of=products[candidate.anchor_id],
        )
        for candidate, related, variant in chosen
    ]


def _fits(
    rules: list[tuple[int | None, int | None]] | None, variant_id: int | None
) -> set[int | None]:
    """The variants of a related product that fit ``variant_id`` of the anchor: all ({None})
    when the shop set no variant-level relation between the two products."""
    if not rules:
        return {None}
    return {
        target
        for source, target in rules
        if source is None or variant_id is None or source == variant_id
    }


def _substitutes(shop: Shop, product_ids: set[int]) -> set[int]:
    """Products the shop marked as substitutes of ``product_ids`` (either way round)."""
    if not product_ids:
        return set()
    pairs = (
        ProductRelation.objects.for_shop(shop)
        .filter(kind=Kind.SUBSTITUTE)
        .filter(Q(product_id__in=product_ids) | Q(related_id__in=product_ids))
        .values_list("product_id", "related_id")
    )
    return {p for pair in pairs for p in pair} - product_ids


def _reason_text(candidate: _Candidate, anchor: Product) -> str:
    name = anchor.name
    if candidate.reason == Reason.PINNED:
        return _("Pinned by staff for %(product)s") % {"product": name}
    if candidate.reason == Reason.BOUGHT_TOGETHER:
        return ngettext(
            "Kept together with %(product)s by %(count)s customer, %(lift)s× more often than "
            "chance",
            "Kept together with %(product)s by %(count)s customers, %(lift)s× more often than "
            "chance",
            candidate.customers,
        ) % {
            "product": name,
            "count": number_format(candidate.customers, force_grouping=True),
            "lift": number_format(candidate.lift, 1),
        }
    texts = {
        Kind.REQUIRED_PART: _("Required part for %(product)s (set by the shop)"),
        Kind.ACCESSORY: _("Accessory for %(product)s (set by the shop)"),
        Kind.CONSUMABLE: _("Consumable for %(product)s (set by the shop)"),
        Kind.OFTEN_BOUGHT_WITH: _("Often bought with %(product)s (set by the shop)"),
    }
    return texts[Kind(candidate.kind)] % {"product": name}


# -- staff's pins and blocks --------------------------------------------------------------------


def set_rule(shop: Shop, product: Product, related: Product, action: str, *, user) -> None:
    """Pin ``related`` to the top of ``product``'s recommendations or block it (``action`` is
    "pin" or "block"; "" removes the pin or block). Recorded in the audit log."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.db import transaction

    if product.shop_id != shop.pk or related.shop_id != shop.pk or product.pk == related.pk:
        raise ValueError("both products must be different products of the shop")
    with transaction.atomic():
        existing = RecommendationRule.objects.for_shop(shop).filter(
            product=product, related=related
        )
        before = existing.values_list("action", flat=True).first() or ""
        if action == before:
            return
        existing.delete()
        if action:
            RecommendationRule.objects.create(
                shop=shop,
                product=product,
                related=related,
                action=RecommendationRule.Action(action),
                created_by=user,
            )
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[product],
            action_flag=CHANGE,
            change_message=(
                f"Recommendations of {product.external_id}: {related.external_id} "
                f"{action or 'unpinned/unblocked'} (was {before or 'neither'})"
            ),
        )


def rules_for(shop: Shop, product: Product) -> list[RecommendationRule]:
    return list(
        RecommendationRule.objects.for_shop(shop)
        .filter(product=product)
        .select_related("related", "created_by")
        .order_by("action", "created_at", "pk")
    )
