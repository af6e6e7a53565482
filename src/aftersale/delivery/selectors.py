"""The unclaimed-parcel loop in numbers: how many parcels come back unclaimed, what they cost,
where (delivery method, carrier, pickup point, customer, month) and who keeps leaving them.

Counts are aggregate queries over Shipment; nothing here writes. Rates and costs are explained
for merchants in docs/merchants/delivery.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth

from aftersale.core.models import Shop
from aftersale.delivery.carriers import display_name
from aftersale.delivery.models import PickupPoint, Shipment, ShipmentStatus
from aftersale.orders.models import Customer, DeliveryMethod

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
UNCLAIMED = Q(status=ShipmentStatus.RETURNED_TO_SENDER) | Q(returned_at__isnull=False)

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


def unclaimed_report(
    shop: Shop,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    costs: UnclaimedCosts | None = None,
    top: int = 15,
) -> UnclaimedReport:
    """What ``unclaimed_by`` gives for every dimension, in three aggregate queries instead of
    one pass over the period's parcels per dimension.

    One query counts by month × delivery method × carrier × pickup point and every dimension
    (and the totals) is added up from its rows. Customers are many, so they are counted from
    the unclaimed parcels only: the ``top`` customers by unclaimed parcels (and everyone tied
    with the last of them) get their parcel counts for the rate, in one more query.
    """
    costs = costs or unclaimed_costs_for(shop)
    queryset = reached_shipments(shop, since=since, until=until).annotate(
        month=TruncMonth("sent_at", tzinfo=ZoneInfo(shop.time_zone))
    )
    fields = [DIMENSIONS[dimension] for dimension in REPORT_DIMENSIONS]
    counts = (
        queryset.values(*fields)
        .annotate(shipments=Count("id"), unclaimed=Count("id", filter=UNCLAIMED))
        .order_by()
    )
    totals: dict[str, dict[object, list[int]]] = {key: {} for key in (*REPORT_DIMENSIONS, "")}
    for row in counts:
        per_parcel = costs.for_carrier(row["carrier"]).per_parcel_cents
        for dimension in (*REPORT_DIMENSIONS, ""):
            key = row[DIMENSIONS[dimension]] if dimension else None
            total = totals[dimension].setdefault(key, [0, 0, 0])
            total[0] += row["shipments"]
            total[1] += row["unclaimed"]
            total[2] += row["unclaimed"] * per_parcel

    def rows_of(dimension: str) -> list[UnclaimedRow]:
        return _rows(shop, dimension, totals[dimension])

    shipments, unclaimed, cost = totals[""].get(None, [0, 0, 0])
    return UnclaimedReport(
        summary=UnclaimedRow(None, "", shipments, unclaimed, cost, shop.currency),
        months=rows_of("month"),
        by_method=rows_of("delivery_method"),
        by_carrier=rows_of("carrier"),
        by_point=rows_of("pickup_point")[:top],
        by_customer=_top_customers(shop, queryset, costs, top),
    )


def _top_customers(shop: Shop, queryset: QuerySet, costs: UnclaimedCosts, top: int):
    customer = DIMENSIONS["customer"]
    unclaimed = (
        queryset.filter(UNCLAIMED)
        .values(customer, "carrier")
        .annotate(unclaimed=Count("id"))
        .order_by()
    )
    totals: dict[object, list[int]] = {}
    for row in unclaimed:
        per_parcel = costs.for_carrier(row["carrier"]).per_parcel_cents
        total = totals.setdefault(row[customer], [0, 0, 0])
        total[1] += row["unclaimed"]
        total[2] += row["unclaimed"] * per_parcel
    if not totals:
        return []
    # Everyone tied with the last of the top customers, so that ties are broken by rate.
    cutoff = sorted((total[1] for total in totals.values()), reverse=True)[:top][-1]
    candidates = {key: total for key, total in totals.items() if total[1] >= cutoff}
    parcels = (
        queryset.filter(order__customer__in=list(candidates))
        .values(customer)
        .annotate(shipments=Count("id"))
        .order_by()
    )
    for row in parcels:
        candidates[row[customer]][0] = row["shipments"]
    return _rows(shop, "customer", candidates)[:top]


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
