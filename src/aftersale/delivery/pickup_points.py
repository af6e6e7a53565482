"""Pickup points: importing a carrier's registry, opening hours, the nearest points, and the best
point for a customer (one they have picked up from before, else the nearest open one).

``import_pickup_points`` is the one function here that writes; the rest only read.
The CSV format is documented in docs/developers/carriers.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersale.core.models import Shop
from aftersale.delivery.carriers import carrier_for
from aftersale.delivery.models import PickupPoint, Shipment, ShipmentStatus
from aftersale.delivery.opening_hours import OpeningHoursError, is_open_at, parse_opening_hours
from aftersale.delivery.postcodes import distance_km, postcode_location
from aftersale.timeline import types
from aftersale.timeline.services import record_event

CSV_COLUMNS = (
    "carrier",
    "code",
    "name",
    "kind",
    "street",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "opening_hours",
)
OPTIONAL_COLUMNS = ("country", "active")
REQUIRED_VALUES = ("carrier", "code", "name")

# nearest_points widens its search box from the first radius up to the last, until it has enough.
SEARCH_RADII_KM = (5.0, 20.0, 80.0, 300.0)
# A point the customer picked up from before is preferred while it is at most this far away.
DEFAULT_FAMILIAR_POINT_KM = 15.0


# --- Import -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """A problem in the file: ``row`` is the line number in the CSV (the header is line 1)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class PickupPointImportError(ValueError):
    """The file was rejected as a whole; ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    carriers: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return self.created + self.updated


@transaction.atomic
def import_pickup_points(
    shop: Shop,
    rows: Iterable[Mapping[str, str]],
    *,
    first_row: int = 2,
    deactivate_missing: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import a pickup-point registry: all rows or none.

    Points are matched by (carrier, code): new ones are created, known ones updated. With
    ``deactivate_missing`` a carrier's active points that the file no longer lists are marked
    closed (the file is that carrier's whole registry). Raises PickupPointImportError naming every
    bad row and column; nothing is written then. ``progress(n)`` is called after each row.
    """
    values, errors = _read_rows(rows, first_row)
    if not values and not errors:
        errors = [RowError(1, "", _("The file has no pickup points."))]
    if errors:
        raise PickupPointImportError(errors)

    existing = {
        (point.carrier, point.code): point
        for point in PickupPoint.objects.for_shop(shop).filter(
            carrier__in={value["carrier"] for value in values}
        )
    }
    to_create, to_update = [], []
    now = timezone.now()
    for n, value in enumerate(values, start=1):
        point = existing.get((value["carrier"], value["code"]))
        if point is None:
            to_create.append(PickupPoint(shop=shop, **value))
        else:
            for name, new in value.items():
                setattr(point, name, new)
            point.updated_at = now
            to_update.append(point)
        if progress:
            progress(n)
    PickupPoint.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        changed = [name for name in values[0] if name not in ("carrier", "code")]
        PickupPoint.objects.bulk_update(to_update, [*changed, "updated_at"], batch_size=1000)
    carriers = tuple(sorted({value["carrier"] for value in values}))
    deactivated = 0
    if deactivate_missing and values:
        listed = {(value["carrier"], value["code"]) for value in values}
        gone = [point.pk for key, point in existing.items() if key not in listed and point.active]
        deactivated = (
            PickupPoint.objects.for_shop(shop)
            .filter(pk__in=gone)
            .update(active=False, updated_at=now)
        )
    result = ImportResult(len(to_create), len(to_update), deactivated, carriers)
    record_event(
        shop,
        types.PICKUP_POINTS_IMPORTED,
        subject=shop,
        payload={
            "carriers": list(carriers),
            "created": result.created,
            "updated": result.updated,
            "deactivated": result.deactivated,
        },
    )
    return result


def _read_rows(
    rows: Iterable[Mapping[str, str]], first_row: int
) -> tuple[list[dict], list[RowError]]:
    values: list[dict] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for row_number, row in enumerate(rows, start=first_row):
        if row_number == first_row:
            missing = [c for c in CSV_COLUMNS if c not in row]
            if missing:
                errors.append(
                    RowError(
                        1,
                        ", ".join(missing),
                        _("The header is missing these columns; the columns are: %(columns)s.")
                        % {"columns": ", ".join(CSV_COLUMNS)},
                    )
                )
                return values, errors
        value, row_errors = _read_row(row, row_number)
        errors.extend(row_errors)
        if row_errors:
            continue
        key = (value["carrier"], value["code"])
        if key in seen:
            errors.append(
                RowError(
                    row_number,
                    "code",
                    _("Code %(code)s of %(carrier)s is already on row %(row)s.")
                    % {"code": value["code"], "carrier": value["carrier"], "row": seen[key]},
                )
            )
            continue
        seen[key] = row_number
        values.append(value)
    return values, errors


def _read_row(row: Mapping[str, str], n: int) -> tuple[dict, list[RowError]]:
    cell = {key: (row.get(key) or "").strip() for key in (*CSV_COLUMNS, *OPTIONAL_COLUMNS)}
    errors = [
        RowError(n, column, _("This value is required."))
        for column in REQUIRED_VALUES
        if not cell[column]
    ]
    known = carrier_for(cell["carrier"])
    carrier = known.name if known else cell["carrier"].lower()
    kind = cell["kind"].lower() or PickupPoint.Kind.COUNTER
    if kind not in PickupPoint.Kind.values:
        errors.append(
            RowError(
                n, "kind", _("“%(kind)s” is not a kind: use counter or locker.") % {"kind": kind}
            )
        )
    latitude = _coordinate(cell["latitude"], -90, 90, n, "latitude", errors)
    longitude = _coordinate(cell["longitude"], -180, 180, n, "longitude", errors)
    if (latitude is None) != (longitude is None) and not any(
        e.column in ("latitude", "longitude") for e in errors
    ):
        errors.append(
            RowError(n, "longitude" if longitude is None else "latitude",
                     _("Give both latitude and longitude, or neither."))
        )  # fmt: skip
    try:
        hours = parse_opening_hours(cell["opening_hours"])
    except OpeningHoursError as error:
        hours = {}
        errors.append(RowError(n, "opening_hours", str(error)))
    active = cell["active"].lower() not in ("0", "false", "no", "closed", "inactive")
    for column, limit in (("carrier", 40), ("code", 40), ("name", 200), ("street", 200),
                          ("postcode", 20), ("city", 100)):  # fmt: skip
        if len(cell[column]) > limit:
            errors.append(
                RowError(n, column, _("Too long: at most %(limit)s characters.") % {"limit": limit})
            )
    country = (cell["country"] or "FI").upper()
    if len(country) != 2:
        errors.append(RowError(n, "country", _("Use a two-letter country code, e.g. FI.")))
    return {
        "carrier": carrier,
        "code": cell["code"],
        "name": cell["name"],
        "kind": kind,
        "street": cell["street"],
        "postcode": cell["postcode"],
        "city": cell["city"],
        "country": country,
        "latitude": latitude,
        "longitude": longitude,
        "opening_hours": hours,
        "active": active,
    }, errors


def _coordinate(
    text: str, low: float, high: float, n: int, column: str, errors: list[RowError]
) -> float | None:
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if not (low <= value <= high):
        errors.append(
            RowError(
                n,
                column,
                _("“%(value)s” is not a number between %(low)s and %(high)s.")
                % {"value": text, "low": low, "high": high},
            )
        )
        return None
    return value


# --- Reading ------------------------------------------------------------------------------


def is_open(point: PickupPoint, at: datetime, time_zone: str | None = None) -> bool:
    """Whether the point is open at ``at``, read in the shop's time zone.

    A closed (inactive) point is never open; a point with unknown hours counts as open.
    """
    if not point.active:
        return False
    zone = ZoneInfo(time_zone or point.shop.time_zone)
    known = is_open_at(point.opening_hours, at.astimezone(zone))
    return True if known is None else known


@dataclass(frozen=True)
class NearbyPoint:
    point: PickupPoint
    distance_km: float


def nearest_points(
    shop: Shop,
    latitude: float,
    longitude: float,
    *,
    carrier: str | None = None,
    open_at: datetime | None = None,
    limit: int = 5,
) -> list[NearbyPoint]:
    """The shop's active points nearest to a place, nearest first, with their distance in km.

    A bounding box in SQL finds candidates (it works on SQLite and PostgreSQL alike); haversine
    in Python orders them. The box widens until ``limit`` points are found within its radius.
    """
    base = PickupPoint.objects.for_shop(shop).filter(
        active=True, latitude__isnull=False, longitude__isnull=False
    )
    if carrier:
        known = carrier_for(carrier)
        base = base.filter(carrier=known.name if known else carrier.lower())
    found: list[NearbyPoint] = []
    for radius in SEARCH_RADII_KM:
        dlat = radius / 111.0
        dlon = radius / max(1e-6, 111.32 * math.cos(math.radians(latitude)))
        candidates = base.filter(
            latitude__range=(latitude - dlat, latitude + dlat),
            longitude__range=(longitude - dlon, longitude + dlon),
        )
        found = []
        for point in candidates:
            distance = distance_km(latitude, longitude, point.latitude, point.longitude)
            if distance > radius:
                continue
            if open_at is not None and not is_open(point, open_at, shop.time_zone):
                continue
            found.append(NearbyPoint(point, distance))
        if len(found) >= limit:
            break
    found.sort(key=lambda nearby: (nearby.distance_km, nearby.point.pk))
    return found[:limit]


@dataclass(frozen=True)
class UsedPoint:
    point: PickupPoint
    times: int
    last_picked_up_at: datetime | None


def points_used_before(shop: Shop, customer) -> list[UsedPoint]:
    """The pickup points the customer has picked parcels up from, most used first."""
    usage = (
        Shipment.objects.for_shop(shop)
        .filter(
            order__customer=customer,
            status=ShipmentStatus.PICKED_UP,
            pickup_point__isnull=False,
        )
        .values("pickup_point")
        .annotate(times=Count("id"), last=Max("received_at"))
    )
    counts = {row["pickup_point"]: row for row in usage}
    points = PickupPoint.objects.for_shop(shop).filter(pk__in=counts)
    used = [
        UsedPoint(point, counts[point.pk]["times"], counts[point.pk]["last"]) for point in points
    ]
    used.sort(
        key=lambda u: (
            -u.times,
            -(u.last_picked_up_at.timestamp() if u.last_picked_up_at else 0),
            u.point.pk,
        )
    )
    return used


@dataclass(frozen=True)
class PickupPointChoice:
    """The suggested point and why: ``reason`` is "used_before" or "nearest"."""

    point: PickupPoint
    reason: str
    distance_km: float | None = None
    times_used: int = 0
    alternatives: list[NearbyPoint] = field(default_factory=list)

    @property
    def reason_text(self) -> str:
        if self.reason == "used_before":
            return ngettext(
                "The customer has picked up %(times)s parcel from here before.",
                "The customer has picked up %(times)s parcels from here before.",
                self.times_used,
            ) % {"times": self.times_used}
        return _("The nearest open pickup point, %(km)s km away.") % {
            "km": f"{self.distance_km:.1f}" if self.distance_km is not None else "?"
        }


def best_pickup_point(
    shop: Shop,
    customer,
    *,
    latitude: float | None = None,
    longitude: float | None = None,
    postcode: str | None = None,
    carrier: str | None = None,
    open_at: datetime | None = None,
    familiar_within_km: float = DEFAULT_FAMILIAR_POINT_KM,
) -> PickupPointChoice | None:
    """Suggest a pickup point for the customer, or None when there is nothing to suggest.

    First choice: an active point the customer actually picked up from before (the most used),
    if it is within ``familiar_within_km`` of the place (or the place is unknown). Otherwise the
    nearest point open at ``open_at`` (or simply the nearest active point). The place is the given
    coordinates, else the postcode's locality, else the customer's own postcode.
    """
    here = _place(latitude, longitude, postcode, customer)
    wanted = carrier_for(carrier).name if carrier and carrier_for(carrier) else carrier
    for used in points_used_before(shop, customer):
        point = used.point
        if not point.active or (wanted and point.carrier != wanted.lower()):
            continue
        distance = _distance_to(here, point)
        if here is not None and (distance is None or distance > familiar_within_km):
            continue
        return PickupPointChoice(point, "used_before", distance, used.times)
    if here is None:
        return None
    nearby = nearest_points(shop, *here, carrier=carrier, open_at=open_at, limit=3)
    if not nearby:
        return None
    first = nearby[0]
    return PickupPointChoice(first.point, "nearest", first.distance_km, 0, nearby[1:])


def _place(latitude, longitude, postcode, customer) -> tuple[float, float] | None:
    if latitude is not None and longitude is not None:
        return float(latitude), float(longitude)
    if postcode:
        return postcode_location(postcode)
    if customer is not None and getattr(customer, "postcode", ""):
        return postcode_location(customer.postcode, customer.country or "FI")
    return None


def _distance_to(here: tuple[float, float] | None, point: PickupPoint) -> float | None:
    if here is None:
        return None
    if point.latitude is not None and point.longitude is not None:
        return distance_km(*here, point.latitude, point.longitude)
    there = postcode_location(point.postcode, point.country) if point.postcode else None
    return distance_km(*here, *there) if there else None
