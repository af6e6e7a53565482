"""The service desk's figures for a period, per agent and per topic, from aggregate queries.

For the tickets solved in the period (``solved_at`` in it; a ticket solved again counts once,
at its latest solving):

* **solved**: how many;
* **first response** and **resolution**: the median and the 90th percentile of the business
  time (the shop's opening hours, closed days and public holidays) from opening to the first
  reply and to the solving. The durations are kept on the ticket when they happen
  (``Ticket.first_response_seconds``, ``resolution_seconds``); the percentiles are the
  nearest rank (the smallest value with at least that share of the tickets at or below it),
  read with a window function, so no ticket is loaded into Python;
* **within target**: the share whose first response came within the shop's first-response
  target (business hours), of those answered.

For the satisfaction answers given in the period (``answered_at`` in it): their number, the
average score and the share of 4 and 5. An agent is the ticket's assignee (for satisfaction,
the assignee when the ticket was solved); tickets nobody had are counted as "nobody".

Each grouping (all, per agent, per topic) costs a fixed number of queries whatever the number of
tickets: three for the tickets and one for the answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, F, Max, Q, Subquery, Sum, Value, Window
from django.db.models.functions import Lower, RowNumber

from aftersale.service.help.models import HelpVisitDay
from aftersale.service.hours import support_targets
from aftersale.service.models import CsatAnswer, Ticket, TicketState, Topic

PERCENTILES = (0.5, 0.9)
ALL = "all"


@dataclass
class Row:
    """One line of the figures: a group (an agent, a topic, everyone) and its numbers."""

    key: object
    label: str = ""
    solved: int = 0
    answered: int = 0
    within_target: int = 0
    first_response: dict[float, timedelta | None] = field(default_factory=dict)
    resolution: dict[float, timedelta | None] = field(default_factory=dict)
    csat_answers: int = 0
    csat_average: float | None = None
    csat_satisfied: int = 0

    @property
    def within_target_share(self) -> float | None:
        return self.within_target / self.answered if self.answered else None

    @property
    def csat_satisfied_share(self) -> float | None:
        return self.csat_satisfied / self.csat_answers if self.csat_answers else None

    @property
    def first_response_median(self):
        return self.first_response.get(0.5)

    @property
    def first_response_p90(self):
        return self.first_response.get(0.9)

    @property
    def resolution_median(self):
        return self.resolution.get(0.5)

    @property
    def resolution_p90(self):
        return self.resolution.get(0.9)


@dataclass
class Figures:
    start: datetime
    end: datetime
    first_response_target: timedelta
    total: Row
    agents: list[Row]
    topics: list[Row]


def _solved(shop, start: datetime, end: datetime):
    return Ticket.objects.for_shop(shop).filter(
        solved_at__gte=start,
        solved_at__lt=end,
        state__in=(TicketState.SOLVED, TicketState.CLOSED),
    )


def _group_value(group: str | None):
    return F(group) if group else Value(ALL)


def _counts(tickets, group: str | None, target_seconds: int) -> dict:
    rows = (
        tickets.annotate(group=_group_value(group))
        .values("group")
        .order_by("group")
        .annotate(
            solved=Count("id"),
            answered=Count("id", filter=Q(first_response_seconds__isnull=False)),
            within_target=Count("id", filter=Q(first_response_seconds__lte=target_seconds)),
        )
    )
    return {row["group"]: row for row in rows}


def _percentiles(tickets, group: str | None, column: str) -> dict[object, dict[float, timedelta]]:
    """Nearest-rank percentiles of ``column`` per group: rank k = ceil(p·n), i.e. the row
    numbered k with k ≥ p·n > k − 1 in the group ordered by the column."""
    partition = [F(group)] if group else []
    ranked = (
        tickets.filter(**{f"{column}__isnull": False})
        .annotate(
            group=_group_value(group),
            rank=Window(RowNumber(), partition_by=partition, order_by=[F(column).asc(), "id"]),
            size=Window(Count("id"), partition_by=partition),
        )
        .values("group", "rank", "size", column)
    )
    wanted = Q()
    for share in PERCENTILES:
        wanted |= Q(rank__gte=F("size") * share, rank__lt=F("size") * share + 1)
    found: dict[object, dict[float, timedelta]] = {}
    for row in ranked.filter(wanted):
        for share in PERCENTILES:
            if row["size"] * share <= row["rank"] < row["size"] * share + 1:
                found.setdefault(row["group"], {})[share] = timedelta(seconds=row[column])
    return found


def _csat(shop, start: datetime, end: datetime, group: str | None) -> dict:
    answers = CsatAnswer.objects.for_shop(shop).filter(answered_at__gte=start, answered_at__lt=end)
    rows = (
        answers.annotate(group=_group_value(group))
        .values("group")
        .order_by("group")
        .annotate(
            count=Count("id"), average=Avg("score"), satisfied=Count("id", filter=Q(score__gte=4))
        )
    )
    return {row["group"]: row for row in rows}


def _rows(shop, start, end, group: str | None, csat_group: str | None, target: int) -> list[Row]:
    tickets = _solved(shop, start, end)
    counts = _counts(tickets, group, target)
    first = _percentiles(tickets, group, "first_response_seconds")
    resolution = _percentiles(tickets, group, "resolution_seconds")
    satisfaction = _csat(shop, start, end, csat_group)
    rows = []
    for key in sorted(set(counts) | set(satisfaction), key=lambda k: (k is None, str(k))):
        count = counts.get(key, {})
        answers = satisfaction.get(key, {})
        rows.append(
            Row(
                key=key,
                solved=count.get("solved", 0),
                answered=count.get("answered", 0),
                within_target=count.get("within_target", 0),
                first_response=first.get(key, {}),
                resolution=resolution.get(key, {}),
                csat_answers=answers.get("count", 0),
                csat_average=answers.get("average"),
                csat_satisfied=answers.get("satisfied", 0),
            )
        )
    return rows


def desk_figures(shop, start: datetime, end: datetime) -> Figures:
    """The figures for ``start`` ≤ moment < ``end`` (aware datetimes)."""
    targets = support_targets(shop)
    target = targets.first_response_hours * 3600
    total = _rows(shop, start, end, None, None, target)
    agents = _rows(shop, start, end, "assignee_id", "agent_id", target)
    topics = _rows(shop, start, end, "topic", "topic", target)
    names = dict(
        get_user_model()
        .objects.filter(pk__in=[row.key for row in agents if row.key is not None])
        .values_list("pk", "username")
    )
    for row in agents:
        row.label = names.get(row.key, "") if row.key is not None else ""
    topic_labels = dict(Topic.choices)
    for row in topics:
        row.label = str(topic_labels.get(row.key, row.key))
    return Figures(
        start=start,
        end=end,
        first_response_target=timedelta(hours=targets.first_response_hours),
        total=total[0] if total else Row(key=ALL),
        agents=agents,
        topics=topics,
    )


@dataclass(frozen=True)
class Deflection:
    """Help-centre visitors for each customer who contacted customer service (Zendesk's
    "self-service score"): ``ratio`` is None when nobody contacted."""

    visitors: int
    contacted: int

    @property
    def ratio(self) -> float | None:
        return self.visitors / self.contacted if self.contacted else None


def deflection(shop, start: datetime, end: datetime) -> Deflection:
    """Different help-centre visitors on the local days of ``start`` ≤ moment < ``end`` ÷
    different e-mail addresses that opened a ticket then (spam left out), in one query."""
    zone = ZoneInfo(shop.time_zone or "Europe/Helsinki")
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    visitors = (
        HelpVisitDay.objects.filter(shop_id=shop.pk, day__gte=first, day__lte=last)
        .order_by()
        .values("shop_id")
        .annotate(total=Sum("visitors"))
        .values("total")
    )
    # With no ticket there is no row to carry the visitors, and nothing to divide by either.
    row = (
        Ticket.objects.for_shop(shop)
        .filter(created_at__gte=start, created_at__lt=end)
        .exclude(state=TicketState.SPAM)
        .aggregate(
            contacted=Count(Lower("email"), distinct=True),
            visitors=Max(Subquery(visitors[:1])),
        )
    )
    return Deflection(visitors=row["visitors"] or 0, contacted=row["contacted"] or 0)
