"""Review figures for the reports: ratings and fit answers per product (beside the return
insight), the review rate per flow, and the rating-weighted product order for the cross-sell.
Published reviews only for ratings, as the public sees them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Avg, Case, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from aftersale.catalog.models import Product
from aftersale.flows.models import FlowRun, Message
from aftersale.reviews.models import Fit, Review, ReviewStatus
from aftersale.reviews.ranking import PRIOR_WEIGHT, bayesian_average

# A review-request step's template key starts with this (the built-in "review_request" and its
# reminder); a flow's review rate counts the runs that sent one.
REVIEW_TEMPLATE_PREFIX = "review"

# The fit most buyers report is told to customers beside the shop's own size advice once at
# least FIT_MIN_ANSWERS published reviews of the product answered the fit question and more
# than half of those answers agree (a clear majority; a tie or a spread says nothing).
FIT_MIN_ANSWERS = 5
FIT_ADVICE = {
    Fit.RUNS_SMALL: _("Most buyers say it runs small: consider one size up."),
    Fit.TRUE_TO_SIZE: _("Most buyers say it is true to size: take your usual size."),
    Fit.RUNS_LARGE: _("Most buyers say it runs large: consider one size down."),
}


@dataclass
class ProductRating:
    count: int = 0
    average: float | None = None
    fit: dict[str, int] = field(default_factory=dict)  # runs_small / true_to_size / runs_large

    @property
    def fit_answers(self) -> int:
        return sum(self.fit.values())

    @property
    def fit_summary(self) -> list[tuple[str, int]]:
        """(label, answers) in the scale's order, for the answers given."""
        labels = dict(Fit.choices)
        order = [Fit.RUNS_SMALL, Fit.TRUE_TO_SIZE, Fit.RUNS_LARGE]
        return [(str(labels[key]), self.fit[key]) for key in order if self.fit.get(key)]

    @property
    def fit_majority(self) -> str:
        """The fit answer (a ``Fit`` value) given by more than half of at least
        ``FIT_MIN_ANSWERS`` answers; "" when there are fewer answers or no clear majority."""
        answers = self.fit_answers
        if answers < FIT_MIN_ANSWERS:
            return ""
        fit, count = max(self.fit.items(), key=lambda item: item[1])
        return fit if 2 * count > answers else ""

    @property
    def fit_advice(self) -> str:
        """What most buyers say about the fit, for customers (in the active language)."""
        majority = self.fit_majority
        return str(FIT_ADVICE[Fit(majority)]) if majority else ""


def ratings_by_product(
    shop, product_ids: Iterable[int], *, since: datetime | None = None
) -> dict[int, ProductRating]:
    """Published ratings and fit answers of the given products (two grouped queries); with
    ``since``, only reviews submitted since then."""
    reviews = Review.objects.for_shop(shop).filter(
        product_id__in=list(product_ids), status=ReviewStatus.PUBLISHED
    )
    if since is not None:
        reviews = reviews.filter(submitted_at__gte=since)
    result: dict[int, ProductRating] = {}
    for row in reviews.values("product_id").annotate(n=Count("id"), mean=Avg("rating")).order_by():
        result[row["product_id"]] = ProductRating(count=row["n"], average=row["mean"])
    for row in (
        reviews.exclude(fit="").values("product_id", "fit").annotate(n=Count("id")).order_by()
    ):
        result.setdefault(row["product_id"], ProductRating()).fit[row["fit"]] = row["n"]
    return result


@dataclass(frozen=True)
class ReviewRate:
    asked: int  # runs of the flow that sent a review request
    written: int  # of those, runs whose order got a review after the run started

    @property
    def rate(self) -> float:
        return self.written / self.asked if self.asked else 0.0


def review_rates_by_flow(shop, *, flow=None) -> dict[int, ReviewRate]:
    """Per flow that sends review requests (or only ``flow``): requests sent (one per run,
    reminders not counted twice) and how many of them led to a review of the order, written
    after the request (the order's first review came after the run started). Counted in the
    database: a flow with years of requests is never loaded into memory."""
    sent = Message.objects.for_shop(shop).filter(
        state__in=[Message.State.SENT, Message.State.BOUNCED],
        step__template_key__startswith=REVIEW_TEMPLATE_PREFIX,
    )
    runs = FlowRun.objects.for_shop(shop).filter(order__isnull=False, pk__in=sent.values("run_id"))
    if flow is not None:
        runs = runs.filter(flow=flow)
    reviews = Review.objects.for_shop(shop).filter(order_line__order_id=OuterRef("order_id"))
    rows = (
        runs.annotate(
            reviewed=Exists(reviews),
            reviewed_before=Exists(reviews.filter(submitted_at__lt=OuterRef("started_at"))),
        )
        .values("flow_id")
        .annotate(
            asked=Count("pk"),
            written=Count("pk", filter=Q(reviewed=True, reviewed_before=False)),
        )
        .order_by()
    )
    return {row["flow_id"]: ReviewRate(row["asked"], row["written"]) for row in rows}


@dataclass(frozen=True)
class RatedProduct:
    product: Product
    score: float  # the Bayesian average on the 1–5 scale
    count: int
    average: float | None


# The cross-sell leaves out a product whose Bayesian average (with the shop's mean as the
# prior, ``ranking.PRIOR_WEIGHT`` reviews strong) is below POOR_SCORE once it has at least
# POOR_MIN_REVIEWS published reviews; fewer reviews say too little to hide a product.
POOR_SCORE = 3.0
POOR_MIN_REVIEWS = 5


@dataclass(frozen=True)
class RatingScore:
    score: float
    count: int
    average: float | None  # the plain mean of the product's published ratings

    @property
    def poor(self) -> bool:
        return self.count >= POOR_MIN_REVIEWS and self.score < POOR_SCORE


def rating_scores(
    shop, product_ids: Iterable[int], *, prior_weight: float = PRIOR_WEIGHT
) -> dict[int, RatingScore]:
    """The Bayesian score and number of published reviews of each of ``product_ids`` (a
    product without reviews scores the shop's mean), in one grouped query: the shop's other
    products' reviews are summed as one group for the mean."""
    ids = set(product_ids)
    if not ids:
        return {}
    rows = (
        Review.objects.for_shop(shop)
        .filter(status=ReviewStatus.PUBLISHED)
        .annotate(group=Case(When(product_id__in=ids, then=F("product_id")), default=Value(0)))
        .values("group")
        .annotate(total=Sum("rating"), n=Count("id"))
        .order_by()
        .values_list("group", "total", "n")
    )
    sums = {group: (total, n) for group, total, n in rows}
    shop_total = sum(total for total, _ in sums.values())
    shop_n = sum(n for _, n in sums.values())
    prior_mean = shop_total / shop_n if shop_n else 0.0
    result = {}
    for product_id in ids:
        total, count = sums.get(product_id, (0, 0))
        result[product_id] = RatingScore(
            bayesian_average(total, count, prior_mean=prior_mean, prior_weight=prior_weight),
            count,
            total / count if count else None,
        )
    return result


def rating_weighted_products(
    shop,
    products: Iterable[Product] | None = None,
    *,
    limit: int | None = None,
    prior_weight: float = PRIOR_WEIGHT,
) -> list[RatedProduct]:
    """The shop's products (or the given ones) best first by the Bayesian average of their
    published ratings (aftersale.reviews.ranking): the shop's mean rating weighs as
    ``prior_weight`` reviews, so a product with one five-star review does not outrank one with
    forty reviews averaging 4.7, and a product without reviews scores the shop's mean. Ties go
    to the product with more reviews, then by name. docs/developers/reviews-widget.md."""
    candidates = list(products) if products is not None else list(Product.objects.for_shop(shop))
    candidates = [product for product in candidates if product.shop_id == shop.pk]
    scores = rating_scores(shop, [p.pk for p in candidates], prior_weight=prior_weight)
    ranked = []
    for product in candidates:
        found = scores[product.pk]
        ranked.append(
            RatedProduct(
                product=product, score=found.score, count=found.count, average=found.average
            )
        )
    ranked.sort(key=lambda r: (-r.score, -r.count, r.product.name, r.product.pk))
    return ranked[:limit] if limit is not None else ranked
