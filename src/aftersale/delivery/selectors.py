"""The unclaimed-parcel loop in numbers: how many parcels come back unclaimed, what they cost,
where (delivery method, carrier, pickup point, customer, month) and who keeps leaving them.

Counts are aggregate queries over Shipment. The report page (``unclaimed_report``) reads whole
past days from stored counts (``UnclaimedDay``/``UnclaimedCount``), kept the way the dashboard
keeps ``DailyFigures``: a stored day is counted again when any parcel sent that day, or its
order, changed since the day was last checked; today and the partial first day are counted
live. Rates and costs are explained for merchants in docs/merchants/delivery.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from aftersale.core.models import Shop
from aftersale.delivery.carriers import display_name
from aftersale.delivery.models import (
    UNCLAIMED_PARCEL,
    PickupPoint,
    Shipment,
    ShipmentStatus,
    UnclaimedByCustomer,
    UnclaimedCount,
    UnclaimedDay,
)
from aftersale.insights.daily import days_between, midnight
from aftersale.orders.models import Customer, DeliveryMethod, Order

# A parcel "reached the customer's reach" when it waited at a pickup point, was delivered or
# picked up, or came back: these are the parcels that could have been left unclaimed.
REACHED = (
    Q(
        status__in=[
            ShipmentStatus.READY_FOR_PICKUP,
            ShipmentStatus.DELIVERED,
            ShipmentStatus.PICKED_UP,
            ShipmentStatus.RETURNED_TO_SENDER,
        ]
    )
    | Q(ready_at__isnull=False)
    | Q(received_at__isnull=False)
    | Q(returned_at__isnull=False)
)
UNCLAIMED = UNCLAIMED_PARCEL

DIMENSIONS = {
    "delivery_method": "order__delivery_method",
    "carrier": "carrier",
    "pickup_point": "pickup_point",
    "customer": "order__customer",
    "month": "month",
}

FLAG_THRESHOLD = 2
FLAG_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class UnclaimedCosts:
    """What one unclaimed parcel costs the shop, in cents.

    Defaults are typical Finnish parcel prices for a small shop (2026): the outbound parcel the
    shop paid for, the carrier's return leg, and handling (unpacking, checking, restocking,
    refunding). The shop's own figures will be stored per shop; until then pass them in.
    ``per_carrier`` overrides the figures for one carrier ("posti", "matkahuolto", …).
    """

    outbound_cents: int = 690
    return_cents: int = 690
    handling_cents: int = 500
    per_carrier: dict[str, UnclaimedCosts] = field(default_factory=dict)

    def for_carrier(self, carrier: str) -> UnclaimedCosts:
        return self.per_carrier.get(carrier, self)

    @property
    def per_parcel_cents(self) -> int:
        return self.outbound_cents + self.return_cents + self.handling_cents


def unclaimed_costs_for(shop: Shop) -> UnclaimedCosts:
    """The shop's own cost figures, or the defaults when it has set none."""
    from aftersale.delivery.models import DeliveryCosts

    saved = DeliveryCosts.objects.for_shop(shop).first()
    if saved is None:
        return UnclaimedCosts()
    return UnclaimedCosts(saved.outbound_cents, saved.return_cents, saved.handling_cents)


@dataclass(frozen=True)
class UnclaimedRow:
    """One line of the report: ``key`` is the raw value (id, code, month), ``label`` for people."""

    key: object
    label: str
    shipments: int
    unclaimed: int
    cost_cents: int
    currency: str

    @property
    def rate(self) -> float:
        """Unclaimed parcels per parcel that reached the customer, 0 to 1."""
        return self.unclaimed / self.shipments if self.shipments else 0.0


def reached_shipments(
    shop: Shop, *, since: datetime | None = None, until: datetime | None = None
) -> QuerySet:
    """The shop's parcels that reached the customer's reach, shipped in [since, until)."""
    queryset = (
        Shipment.objects.for_shop(shop)
        .filter(REACHED)
        .annotate(sent_at=Coalesce("shipped_at", "created_at"))
    )
    if since is not None:
        queryset = queryset.filter(sent_at__gte=since)
    if until is not None:
        queryset = queryset.filter(sent_at__lt=until)
    return queryset


def unclaimed_by(
    shop: Shop,
    dimension: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    costs: UnclaimedCosts | None = None,
) -> list[UnclaimedRow]:
    """Unclaimed parcels, rate and cost grouped by ``dimension``.

    ``dimension`` is one of: delivery_method, carrier, pickup_point, customer, month (the month
    the parcel was shipped, in the shop's time zone). Rows with most unclaimed parcels come
    first; months come in calendar order. One aggregate query.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}")
    costs = costs or unclaimed_costs_for(shop)
    queryset = reached_shipments(shop, since=since, until=until)
    if dimension == "month":
        queryset = queryset.annotate(month=TruncMonth("sent_at", tzinfo=ZoneInfo(shop.time_zone)))
    group = DIMENSIONS[dimension]
    counts = (
        queryset.values(group, "carrier")
        .annotate(shipments=Count("id"), unclaimed=Count("id", filter=UNCLAIMED))
        .order_by()
    )
    totals: dict[object, list[int]] = {}
    for row in counts:
        per_parcel = costs.for_carrier(row["carrier"]).per_parcel_cents
        total = totals.setdefault(row[group], [0, 0, 0])
        total[0] += row["shipments"]
        total[1] += row["unclaimed"]
        total[2] += row["unclaimed"] * per_parcel
    return _rows(shop, dimension, totals)


def unclaimed_summary(
    shop: Shop,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    costs: UnclaimedCosts | None = None,
) -> UnclaimedRow:
    """The shop's totals over the period, as one row."""
    rows = unclaimed_by(shop, "carrier", since=since, until=until, costs=costs)
    return UnclaimedRow(
        key=None,
        label="",
        shipments=sum(r.shipments for r in rows),
        unclaimed=sum(r.unclaimed for r in rows),
        cost_cents=sum(r.cost_cents for r in rows),
        currency=shop.currency,
    )


def _labels(shop: Shop, dimension: str, keys: list) -> dict[object, str]:
    if dimension == "delivery_method":
        return {key: str(DeliveryMethod(key).label) for key in keys if key in DeliveryMethod.values}
    if dimension == "pickup_point":
        points = PickupPoint.objects.for_shop(shop).filter(pk__in=[k for k in keys if k])
        return {point.pk: str(point) for point in points} | {None: "—"}
    if dimension == "customer":
        customers = (
            Customer.objects.for_shop(shop)
            .filter(pk__in=keys)
            .only("first_name", "last_name", "email", "external_id")
        )
        return {customer.pk: str(customer) for customer in customers}
    if dimension == "month":
        return {key: key.strftime("%Y-%m") for key in keys if key}
    return {key: display_name(key) for key in keys}


@dataclass(frozen=True)
class UnclaimedReport:
    """The report page's figures: totals, months in order, the other dimensions most
    unclaimed first, and the ``top`` customers who left most parcels unclaimed."""

    summary: UnclaimedRow
    months: list[UnclaimedRow]
    by_method: list[UnclaimedRow]
    by_carrier: list[UnclaimedRow]
    by_point: list[UnclaimedRow]
    by_customer: list[UnclaimedRow]


REPORT_DIMENSIONS = ("month", "delivery_method", "carrier", "pickup_point")


@dataclass
class DayCounts:
    """One day's counts as stored: ``keyed`` by delivery method × carrier × pickup point (with
    ``shipments`` and ``unclaimed``), ``customers`` the unclaimed parcels by customer × carrier."""

    keyed: list[dict] = field(default_factory=list)
    customers: list[dict] = field(default_factory=list)


# The stored counts' key: delivery method × carrier × pickup point.
COUNT_KEY = ("order__delivery_method", "carrier", "pickup_point")


def _count_rows(queryset: QuerySet, *extra: str) -> QuerySet:
    return (
        queryset.values(*extra, *COUNT_KEY)
        .annotate(shipments=Count("id"), unclaimed=Count("id", filter=UNCLAIMED))
        .order_by()
    )


def count_days(shop: Shop, zone: ZoneInfo, first: date, last: date) -> dict[date, DayCounts]:
    """The parcels of each day from ``first`` to ``last`` (by the day they were sent, in
    ``zone``) counted by delivery method × carrier × pickup point, and the unclaimed ones by
    customer × carrier: two queries."""
    queryset = reached_shipments(
        shop, since=midnight(first, zone), until=midnight(last + timedelta(days=1), zone)
    ).annotate(day=TruncDate("sent_at", tzinfo=zone))
    result: dict[date, DayCounts] = {day: DayCounts() for day in days_between(first, last)}
    for row in _count_rows(queryset, "day"):
        result[row.pop("day")].keyed.append(row)
    for row in _customer_rows(queryset):
        result[row.pop("day")].customers.append(row)
    return result


def _customer_rows(queryset: QuerySet) -> QuerySet:
    return (
        queryset.filter(UNCLAIMED)
        .values("day", DIMENSIONS["customer"], "carrier")
        .annotate(unclaimed=Count("id"))
        .order_by()
    )


def changed_sent_days(
    shop: Shop, zone: ZoneInfo, first: date, last: date, since: datetime
) -> set[date]:
    """Days from ``first`` to ``last`` with a parcel sent that day that changed (or whose order
    changed) at or after ``since``. Both parts walk an index on (shop, updated_at)."""
    start, end = midnight(first, zone), midnight(last + timedelta(days=1), zone)
    parcels = Shipment.objects.for_shop(shop).annotate(sent_at=Coalesce("shipped_at", "created_at"))

    def days(queryset: QuerySet) -> QuerySet:
        return (
            queryset.filter(sent_at__gte=start, sent_at__lt=end)
            .annotate(day=TruncDate("sent_at", tzinfo=zone))
            .values_list("day", flat=True)
            .order_by()
        )

    changed_orders = Order.objects.for_shop(shop).filter(updated_at__gte=since).values("id")
    return set(
        days(parcels.filter(updated_at__gte=since)).union(
            days(parcels.filter(order_id__in=changed_orders))
        )
    )


class UnclaimedDaysNotReady(Exception):
    """More parcels than a page may count itself are in days not yet stored: the worker
    counts them (``services.store_report_days``) and the page says so meanwhile."""

    def __init__(self, stored_days: int, days: int) -> None:
        super().__init__(f"{stored_days} of {days} days are stored")
        self.stored_days = stored_days
        self.days = days


def refresh_unclaimed_days(
    shop: Shop, zone: ZoneInfo, first: date, last: date, *, parcel_limit: int | None = None
) -> str:
    """Make the stored counts of the past days from ``first`` to ``last`` current: days never
    stored (or stored in another time zone) and days with a parcel changed since they were
    last checked are counted again and stored; the others are marked checked at
    ``checked_at``. Reads only what changed (``changed_sent_days``).

    With ``parcel_limit``, days never stored that hold more parcels than that are not counted
    here: ``UnclaimedDaysNotReady`` is raised instead (a view must not count a year of a large
    shop's parcels while the customer waits; the worker's job does, in chunks).

    Returns a marker of the stored counts of these days: it changes whenever any of them is
    stored again (``store_unclaimed_days``, the only writer, marks every stored day of the
    range checked at the time it started), so sums of the range can be kept under it."""
    from aftersale.delivery.services import store_unclaimed_days

    checked_at = timezone.now()  # before reading: a change made meanwhile is seen next time
    checked = UnclaimedDay.objects.for_shop(shop).filter(
        day__range=(first, last), time_zone=str(zone)
    )
    stored = dict(checked.values_list("day", "computed_at"))
    stale = set(days_between(first, last)) - set(stored)
    if stale and parcel_limit is not None:
        missing = reached_shipments(
            shop,
            since=midnight(min(stale), zone),
            until=midnight(max(stale) + timedelta(days=1), zone),
        )
        if missing.values("pk")[: parcel_limit + 1].count() > parcel_limit:
            raise UnclaimedDaysNotReady(len(stored), len(stored) + len(stale))
    if stored:
        stale |= changed_sent_days(shop, zone, first, last, min(stored.values()))
    if stale:
        fresh = count_days(shop, zone, min(stale), max(stale))
        fresh = {day: counts for day, counts in fresh.items() if day in stale}
        store_unclaimed_days(shop, zone, fresh, checked_at=checked_at, window=(first, last))
        return f"{zone}:{len(stale | set(stored))}:{checked_at.isoformat()}"
    return f"{zone}:{len(stored)}:{max(stored.values()).isoformat()}"


SUMS_KEPT_SECONDS = 2 * 24 * 3600  # a day's sums are superseded the next day


def _sums_version_key(shop: Shop) -> str:
    return f"unclaimed-sums-version:{shop.pk}"


def new_sums_version(shop: Shop) -> str:
    """A new version of the shop's stored unclaimed counts: set by ``store_unclaimed_days``
    after its rows are committed, so sums kept under an older version are never read again."""
    version = uuid.uuid4().hex
    cache.set(_sums_version_key(shop), version, None)
    return version


def _stored_sums(shop: Shop, first: date, last: date, marker: str, top: int) -> dict:
    """``_stored_counts`` and ``_stored_top`` of ``first`` to ``last``, added up once per
    version of the shop's stored counts (``new_sums_version``) and ``marker`` of
    ``refresh_unclaimed_days``, and kept in the shared cache: a year of stored counts is some
    100,000 rows. The sums hold counts and ids only (no names, nothing that depends on who
    asks or in which language) under the shop's own key. A version lost from the cache is
    replaced by a new one, so the sums are added up again."""
    version = cache.get(_sums_version_key(shop)) or new_sums_version(shop)
    key = f"unclaimed-sums:{shop.pk}:{version}:{first}:{last}:{top}:{marker}"
    sums = cache.get(key)
    if sums is None:
        keyed, monthly = _stored_counts(shop, first, last)
        sums = {"keyed": keyed, "monthly": monthly, "top": _stored_top(shop, first, last, top)}
        cache.set(key, sums, SUMS_KEPT_SECONDS)
    return sums


def _stored_top(shop: Shop, first: date, last: date, top: int) -> list[int]:
    """The customers with the ``top`` most unclaimed parcels in the stored days (and everyone
    tied with the last of them), ranked in the database."""
    stored = UnclaimedByCustomer.objects.for_shop(shop).filter(day__range=(first, last))
    ranked = stored.values("customer_id").annotate(n=Sum("unclaimed")).order_by("-n")
    cutoff = Coalesce(Subquery(ranked.values("n")[top - 1 : top]), 0)
    return list(ranked.filter(n__gte=cutoff).values_list("customer_id", flat=True))


def _stored_counts(shop: Shop, first: date, last: date) -> tuple[list[dict], list[dict]]:
    """The stored counts of ``first`` to ``last``, added up in the database: by delivery method
    × carrier × pickup point over the whole range (a few hundred rows), and by month × carrier
    (for the months and their costs). A year is a few hundred stored rows a day."""
    stored = UnclaimedCount.objects.for_shop(shop).filter(day__range=(first, last))
    by_key = (
        stored.values("delivery_method", "carrier", "pickup_point_id")
        .annotate(s=Sum("shipments"), u=Sum("unclaimed"))
        .order_by()
    )
    by_month = (
        stored.annotate(first_day=TruncMonth("day"))
        .values("first_day", "carrier")
        .annotate(s=Sum("shipments"), u=Sum("unclaimed"))
        .order_by()
    )
    keyed = [
        {
            "order__delivery_method": row["delivery_method"],
            "carrier": row["carrier"],
            "pickup_point": row["pickup_point_id"],
            "shipments": row["s"],
            "unclaimed": row["u"],
        }
        for row in by_key
    ]
    monthly = [
        {"month": row["first_day"], "carrier": row["carrier"], "shipments": row["s"],
         "unclaimed": row["u"]}
        for row in by_month
    ]  # fmt: skip
    return keyed, monthly


def unclaimed_report(
    shop: Shop,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    costs: UnclaimedCosts | None = None,
    top: int = 15,
    now: datetime | None = None,
    parcel_limit: int | None = None,
) -> UnclaimedReport:
    """What ``unclaimed_by`` gives for every dimension, from the stored counts of whole past
    days (``unclaimed_counts_by_day``) and a live count of the rest of the period.

    The rows (one per day × delivery method × carrier × pickup point) are added up for every
    dimension and the totals. Customers are many, so they are counted from the unclaimed
    parcels only (an index holds just those): the ``top`` customers by unclaimed parcels (and
    everyone tied with the last of them) get their parcel counts for the rate, in one more
    query.

    ``parcel_limit``: see ``refresh_unclaimed_days`` (raises ``UnclaimedDaysNotReady``).
    """
    costs = costs or unclaimed_costs_for(shop)
    zone = ZoneInfo(shop.time_zone)
    now = now or timezone.now()
    end = min(until, now) if until is not None else now
    if since is None:
        first_sent = (
            reached_shipments(shop).order_by("sent_at").values_list("sent_at", flat=True).first()
        )
        start = first_sent or end
    else:
        start = since
    first = timezone.localtime(start, zone).date()
    if midnight(first, zone) < start:
        first += timedelta(days=1)  # a partial first day is counted live
    today = timezone.localtime(now, zone).date()
    last = min(timezone.localtime(end, zone).date(), today) - timedelta(days=1)
    totals: dict[str, dict[object, list[int]]] = {key: {} for key in (*REPORT_DIMENSIONS, "")}

    def add(row: dict, dimensions: tuple[str, ...]) -> None:
        per_parcel = costs.for_carrier(row["carrier"]).per_parcel_cents
        for dimension in dimensions:
            key = row[DIMENSIONS[dimension]] if dimension else None
            total = totals[dimension].setdefault(key, [0, 0, 0])
            total[0] += row["shipments"]
            total[1] += row["unclaimed"]
            total[2] += row["unclaimed"] * per_parcel

    # Whole past days come from the stored counts; the rest of the period is counted live.
    live = [(start, until)]
    stored_days = None
    stored_top: list[int] = []
    if first <= last:
        marker = refresh_unclaimed_days(shop, zone, first, last, parcel_limit=parcel_limit)
        sums = _stored_sums(shop, first, last, marker, top)
        for row in sums["keyed"]:
            add(row, ("delivery_method", "carrier", "pickup_point", ""))
        for row in sums["monthly"]:
            add(row | {"month": midnight(row["month"], zone)}, ("month",))
        live = [(start, midnight(first, zone)), (midnight(last + timedelta(days=1), zone), until)]
        stored_days = (first, last)
        stored_top = sums["top"]
    live_customers: list[dict] = []
    for live_since, live_until in live:
        if live_until is None or live_since < live_until:
            queryset = reached_shipments(shop, since=live_since, until=live_until).annotate(
                day=TruncDate("sent_at", tzinfo=zone)
            )
            for row in _count_rows(queryset, "day"):
                add(row | {"month": midnight(row["day"].replace(day=1), zone)},
                    (*REPORT_DIMENSIONS, ""))  # fmt: skip
            live_customers.extend(_customer_rows(queryset))

    def rows_of(dimension: str) -> list[UnclaimedRow]:
        return _rows(shop, dimension, totals[dimension])

    shipments, unclaimed, cost = totals[""].get(None, [0, 0, 0])
    return UnclaimedReport(
        summary=UnclaimedRow(None, "", shipments, unclaimed, cost, shop.currency),
        months=rows_of("month"),
        by_method=rows_of("delivery_method"),
        by_carrier=rows_of("carrier"),
        by_point=rows_of("pickup_point")[:top],
        by_customer=_top_customers(
            shop,
            reached_shipments(shop, since=since, until=until),
            costs,
            top,
            stored_days=stored_days,
            stored_top=stored_top,
            live=live_customers,
        ),
    )


def _top_customers(
    shop: Shop,
    queryset: QuerySet,
    costs: UnclaimedCosts,
    top: int,
    *,
    stored_days: tuple[date, date] | None,
    stored_top: list[int],
    live: list[dict],
) -> list[UnclaimedRow]:
    """The ``top`` customers by unclaimed parcels (and everyone tied with the last of them,
    so that ties are broken by rate), from the stored per-customer counts of ``stored_days``
    and the ``live`` rows of the rest of the period.

    The stored counts are ranked in the database. Only a customer among the stored top (ties
    included) or with a live unclaimed parcel can be in the top: anyone else has fewer than
    the stored top's last, and so fewer than the real top's last.
    """
    customer = DIMENSIONS["customer"]
    unclaimed: list[dict] = list(live)
    if stored_days is not None:
        stored = UnclaimedByCustomer.objects.for_shop(shop).filter(day__range=stored_days)
        live_ids = {row[customer] for row in live}
        candidates = Q(customer_id__in=stored_top) | Q(customer_id__in=live_ids)
        unclaimed += [
            {customer: row["customer_id"], "carrier": row["carrier"], "unclaimed": row["n"]}
            for row in stored.filter(candidates)
            .values("customer_id", "carrier")
            .annotate(n=Sum("unclaimed"))
            .order_by()
        ]
    totals: dict[object, list[int]] = {}
    for row in unclaimed:
        per_parcel = costs.for_carrier(row["carrier"]).per_parcel_cents
        total = totals.setdefault(row[customer], [0, 0, 0])
        total[1] += row["unclaimed"]
        total[2] += row["unclaimed"] * per_parcel
    if not totals:
        return []
    cutoff_count = sorted((total[1] for total in totals.values()), reverse=True)[:top][-1]
    chosen = {key: total for key, total in totals.items() if total[1] >= cutoff_count}
    parcels = (
        queryset.filter(order__customer__in=list(chosen))
        .values(customer)
        .annotate(shipments=Count("id"))
        .order_by()
    )
    for row in parcels:
        chosen[row[customer]][0] = row["shipments"]
    return _rows(shop, "customer", chosen)[:top]


def _rows(shop: Shop, dimension: str, totals: dict[object, list[int]]) -> list[UnclaimedRow]:
    labels = _labels(shop, dimension, list(totals))
    rows = [
        UnclaimedRow(key, labels.get(key, str(key)), shipments, unclaimed, cost, shop.currency)
        for key, (shipments, unclaimed, cost) in totals.items()
    ]
    if dimension == "month":
        rows.sort(key=lambda r: r.key)
    else:
        rows.sort(key=lambda r: (-r.unclaimed, -r.rate, r.label))
    return rows


@dataclass(frozen=True)
class FlaggedCustomer:
    customer: Customer
    unclaimed: int
    last_unclaimed_at: datetime | None


def flagged_customers(
    shop: Shop, now: datetime, *, threshold: int = FLAG_THRESHOLD, window: timedelta = FLAG_WINDOW
) -> list[FlaggedCustomer]:
    """Customers who left ``threshold`` or more parcels unclaimed in the last 12 months.

    A parcel counts by when it came back (``returned_at``, else when its status last changed).
    The merchant can offer them home delivery or ask for prepayment.
    """
    rows = (
        Shipment.objects.for_shop(shop)
        .filter(UNCLAIMED)
        .annotate(came_back_at=Coalesce("returned_at", "updated_at"))
        .filter(came_back_at__gt=now - window, came_back_at__lte=now)
        .values("order__customer")
        .annotate(unclaimed=Count("id"), last=Max("came_back_at"))
        .filter(unclaimed__gte=threshold)
        .order_by()
    )
    found = {row["order__customer"]: row for row in rows}
    customers = Customer.objects.for_shop(shop).filter(pk__in=found)
    flagged = [FlaggedCustomer(c, found[c.pk]["unclaimed"], found[c.pk]["last"]) for c in customers]
    flagged.sort(key=lambda f: (-f.unclaimed, str(f.customer)))
    return flagged


def recent_unclaimed(shop: Shop, customer: Customer, now: datetime) -> int:
    """How many parcels this customer left unclaimed in the flagging window."""
    return (
        Shipment.objects.for_shop(shop)
        .filter(UNCLAIMED, order__customer=customer)
        .annotate(came_back_at=Coalesce("returned_at", "updated_at"))
        .filter(came_back_at__gt=now - FLAG_WINDOW, came_back_at__lte=now)
        .count()
    )


def is_flagged(shop: Shop, customer: Customer, now: datetime) -> bool:
    """Whether this customer is one of ``flagged_customers`` (for the order page and checkout)."""
    return recent_unclaimed(shop, customer, now) >= FLAG_THRESHOLD
