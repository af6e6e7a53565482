"""Reading survey results: the shop's scale, the score distribution, CSAT % or NPS, and the
same per carrier, pickup point, category and product, and each survey flow's response rate.

Every figure is one grouped query over the period's answers (never a loop over answers in
Python). An answer counts once in each group it belongs to: an order of two products counts
for both products, once each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from aftersale.delivery.carriers import display_name
from aftersale.flows.builtin import SURVEY_FLOW_KEYS
from aftersale.flows.models import Flow, Message
from aftersale.surveys.models import (
    BAD_UP_TO,
    GOOD_FROM,
    SCORES,
    Scale,
    SurveyAnswer,
    SurveySettings,
)


def settings_for(shop) -> SurveySettings:
    """The shop's survey settings (the defaults, unsaved, if it never changed them)."""
    found = SurveySettings.objects.for_shop(shop).first()
    return found if found is not None else SurveySettings(shop=shop)


def scale_of(shop) -> str:
    scale = SurveySettings.objects.for_shop(shop).values_list("scale", flat=True).first()
    return scale or Scale.CSAT


def answers(shop, *, scale: str, since: datetime, until: datetime) -> QuerySet:
    return SurveyAnswer.objects.for_shop(shop).filter(scale=scale).between(since, until)


@dataclass(frozen=True)
class Score:
    """Counts of a group of answers and its headline figure on the scale."""

    scale: str
    answers: int
    good: int
    bad: int

    @property
    def value(self) -> float | None:
        """CSAT: % of answers 4–5. NPS: % of 9–10 minus % of 0–6 (−100…100). None: no answers."""
        if not self.answers:
            return None
        if self.scale == Scale.NPS:
            return round(100 * (self.good - self.bad) / self.answers, 1)
        return round(100 * self.good / self.answers, 1)


def _counts(scale: str) -> dict:
    return {
        "n": Count("id", distinct=True),
        "good": Count("id", filter=Q(score__gte=GOOD_FROM[scale]), distinct=True),
        "bad": Count("id", filter=Q(score__lte=BAD_UP_TO[scale]), distinct=True),
    }


def overall(rows: QuerySet, scale: str) -> Score:
    totals = rows.aggregate(**_counts(scale))
    return Score(scale, totals["n"], totals["good"], totals["bad"])


def distribution(rows: QuerySet, scale: str) -> list[tuple[int, int]]:
    """(score, answers) for every score of the scale, zeros included."""
    counted = dict(rows.order_by().values_list("score").annotate(n=Count("id")))
    return [(score, counted.get(score, 0)) for score in SCORES[scale]]


# Breakdowns: the key and label of each group, as lookups from an answer.
BREAKDOWNS = {
    "carrier": ("shipment__carrier", "shipment__carrier"),
    "point": ("shipment__pickup_point_id", "shipment__pickup_point__name"),
    "category": (
        "order__lines__variant__product__category_id",
        "order__lines__variant__product__category__name",
    ),
    "product": ("order__lines__variant__product_id", "order__lines__variant__product__name"),
}


@dataclass(frozen=True)
class Group:
    key: object
    label: str
    score: Score


def breakdown(rows: QuerySet, scale: str, by: str) -> QuerySet:
    """One row per group (``key``, ``label``, ``n``, ``good``, ``bad``), most answers first;
    answers with no such group (a home delivery has no pickup point) are left out."""
    key, label = BREAKDOWNS[by]
    return (
        rows.exclude(**{f"{key}__isnull": True})
        .order_by()
        .values(key, label)
        .annotate(**_counts(scale))
        .order_by("-n", label)
    )


def groups(page_rows, scale: str, by: str) -> list[Group]:
    key, label = BREAKDOWNS[by]
    result = []
    for row in page_rows:
        name = row[label] or ""
        if by == "carrier":
            name = display_name(name)
        result.append(Group(row[key], name, Score(scale, row["n"], row["good"], row["bad"])))
    return result


@dataclass(frozen=True)
class FlowResponse:
    flow: Flow
    sent: int
    answered: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.answered / self.sent, 1) if self.sent else None


def response_rates(shop, *, since: datetime, until: datetime) -> list[FlowResponse]:
    """For each survey flow: its questions sent in the period, and how many were answered."""
    flows = list(Flow.objects.for_shop(shop).filter(key__in=SURVEY_FLOW_KEYS).order_by("key"))
    return _responses(shop, flows, since=since, until=until)


def response_rate(shop, flow: Flow) -> FlowResponse | None:
    """A survey flow's questions sent so far and how many were answered; None for a flow that
    does not send the survey."""
    if flow.shop_id != shop.pk or flow.key not in SURVEY_FLOW_KEYS:
        return None
    return _responses(shop, [flow])[0]


def _responses(
    shop, flows: list[Flow], *, since: datetime | None = None, until: datetime | None = None
) -> list[FlowResponse]:
    messages = Message.objects.for_shop(shop).filter(
        run__flow__in=flows, state__in=(Message.State.SENT, Message.State.BOUNCED)
    )
    if since is not None:
        messages = messages.filter(sent_at__gte=since)
    if until is not None:
        messages = messages.filter(sent_at__lt=until)
    counts = {
        row["run__flow_id"]: row
        for row in messages.order_by()
        .values("run__flow_id")
        .annotate(
            sent=Count("id"),
            answered=Count("id", filter=Q(run__survey_answer__isnull=False)),
        )
    }
    return [
        FlowResponse(
            flow,
            counts.get(flow.pk, {}).get("sent", 0),
            counts.get(flow.pk, {}).get("answered", 0),
        )
        for flow in flows
    ]


def comments(shop, *, scale: str, since: datetime, until: datetime) -> QuerySet:
    return (
        answers(shop, scale=scale, since=since, until=until)
        .exclude(comment="")
        .select_related("customer", "order", "shipment", "ticket")
    )
