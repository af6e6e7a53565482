"""Delivery help for the shop's checkout: customer flags and the best pickup point.

* ``GET /customers/{external_id}/flags`` — whether to offer cash on delivery or invoice, and
  whether to suggest home delivery, from the customer's unclaimed parcels of the last 12 months.
* ``GET /pickup-points/best`` — the point the customer picked up from before, else the nearest.
* ``GET /pickup-points/nearest`` — the nearest active (or open) points to a place.
"""

from __future__ import annotations

from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field, StrictBool, WithJsonSchema

from aftersale.api.problems import invalid_fields, not_found
from aftersale.api.reads import _one, _pickup_point
from aftersale.api.schemas import PickupPointOut
from aftersale.delivery.models import PickupPoint
from aftersale.delivery.pickup_points import (
    PickupPointImportError,
    best_pickup_point,
    import_pickup_points,
    nearest_points,
)
from aftersale.delivery.selectors import FLAG_THRESHOLD, recent_unclaimed
from aftersale.orders.ingest import CountryCode, Instant, text
from aftersale.orders.models import Customer


class CustomerFlagsOut(Schema):
    external_id: str
    unclaimed_parcels_12_months: int
    flagged_unclaimed: bool = Field(
        description="Left two or more parcels unclaimed in the last 12 months."
    )
    allow_cash_on_delivery: bool
    allow_invoice: bool
    suggest_home_delivery: bool


class NearbyPointOut(PickupPointOut):
    latitude: float | None
    longitude: float | None
    opening_hours: dict
    distance_km: float | None


class BestPointOut(Schema):
    point: NearbyPointOut
    reason: str = Field(description='"used_before" or "nearest"')
    times_used: int
    alternatives: list[NearbyPointOut]


class BestPointQuery(Schema):
    customer: str | None = Field(None, description="The customer's external id.", max_length=100)
    postcode: str | None = Field(None, max_length=20)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    carrier: str | None = Field(None, max_length=40)


class NearestQuery(Schema):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    carrier: str | None = Field(None, max_length=40)
    open_at: Instant | None = Field(
        None, description="Only points open at this time (with its offset from UTC)."
    )
    limit: int = Field(5, ge=1, le=50)


def _nearby(point, distance_km) -> dict:
    return {
        **_pickup_point(point),
        "latitude": point.latitude,
        "longitude": point.longitude,
        "opening_hours": point.opening_hours,
        "distance_km": None if distance_km is None else round(distance_km, 2),
    }


def customer_flags(request, external_id: str):
    customer = _one(Customer.objects.for_shop(request.shop), external_id=external_id)
    unclaimed = recent_unclaimed(request.shop, customer, timezone.now())
    flagged = unclaimed >= FLAG_THRESHOLD
    return {
        "external_id": customer.external_id,
        "unclaimed_parcels_12_months": unclaimed,
        "flagged_unclaimed": flagged,
        "allow_cash_on_delivery": not flagged,
        "allow_invoice": not flagged,
        "suggest_home_delivery": flagged,
    }


def best_point(request, query: Query[BestPointQuery]):
    shop = request.shop
    customer = (
        _one(Customer.objects.for_shop(shop), external_id=query.customer)
        if query.customer
        else None
    )
    choice = best_pickup_point(
        shop,
        customer,
        latitude=query.latitude,
        longitude=query.longitude,
        postcode=query.postcode,
        carrier=query.carrier,
    )
    if choice is None:
        raise not_found(_("No pickup point to suggest: give a postcode or coordinates."))
    return {
        "point": _nearby(choice.point, choice.distance_km),
        "reason": choice.reason,
        "times_used": choice.times_used,
        "alternatives": [_nearby(n.point, n.distance_km) for n in choice.alternatives],
    }


def nearest(request, query: Query[NearestQuery]):
    found = nearest_points(
        request.shop,
        query.latitude,
        query.longitude,
        carrier=query.carrier,
        open_at=query.open_at,
        limit=query.limit,
    )
    return [_nearby(n.point, n.distance_km) for n in found]


# The opening-hours text the import reads, as a pattern (English day names; the import also
# reads Finnish and Swedish ones, and "." between hours and minutes).
_DAY = "(mon|tue|wed|thu|fri|sat|sun)"
_DAYS = f"{_DAY}(-{_DAY})?(,{_DAY}(-{_DAY})?)*"
_FROM = "([01][0-9]|2[0-3]):[0-5][0-9]"
_TO = f"({_FROM}|24:00)"
_HOURS = f"(closed|24h|{_FROM}-{_TO}(,{_FROM}-{_TO})*)"
OPENING_HOURS = f"^$|^{_DAYS} {_HOURS}(; {_DAYS} {_HOURS})*$"


class PickupPointItem(Schema):
    carrier: text(40, min_length=1)
    code: text(40, min_length=1)
    name: text(200, min_length=1)
    kind: PickupPoint.Kind = Field(PickupPoint.Kind.COUNTER, description='"counter" or "locker"')
    street: text(200) = ""
    postcode: text(20) = ""
    city: text(100) = ""
    country: CountryCode = "FI"
    latitude: Annotated[
        float | None, WithJsonSchema({"type": "number", "minimum": -90, "maximum": 90})
    ] = Field(None, ge=-90, le=90, description="With longitude, or neither.")
    longitude: Annotated[
        float | None, WithJsonSchema({"type": "number", "minimum": -180, "maximum": 180})
    ] = Field(None, ge=-180, le=180, description="With latitude, or neither.")
    opening_hours: str = Field(
        "",
        description='e.g. "mon-fri 08:00-21:00; sat 10:00-18:00; sun closed"',
        max_length=500,
        json_schema_extra={"pattern": OPENING_HOURS},
    )
    active: StrictBool = True

    model_config = {
        "json_schema_extra": {
            "dependentRequired": {"latitude": ["longitude"], "longitude": ["latitude"]}
        }
    }


class PickupPointImport(Schema):
    items: list[PickupPointItem] = Field(min_length=1, max_length=5000)
    deactivate_missing: StrictBool = Field(
        False, description="Close the carriers' active points that the list no longer has."
    )


class PickupPointImportOut(Schema):
    created: int
    updated: int
    deactivated: int
    carriers: list[str]


def import_points(request, body: PickupPointImport):
    rows = [
        {
            **{key: "" if value is None else str(value) for key, value in item.dict().items()},
            "active": "1" if item.active else "0",
        }
        for item in body.items
    ]
    try:
        result = import_pickup_points(
            request.shop, rows, first_row=0, deactivate_missing=body.deactivate_missing
        )
    except PickupPointImportError as error:
        raise invalid_fields(
            [
                {
                    "pointer": f"/items/{e.row}/{e.column}" if e.column else f"/items/{e.row}",
                    "detail": e.message,
                }
                for e in error.errors
            ]
        ) from None
    return {
        "created": result.created,
        "updated": result.updated,
        "deactivated": result.deactivated,
        "carriers": list(result.carriers),
    }


def add_delivery_endpoints(router: Router) -> None:
    router.post(
        "/pickup-points/import",
        response=PickupPointImportOut,
        tags=["pickup points"],
        summary="Load a carrier's pickup-point registry (all rows or none)",
    )(import_points)
    router.get(
        "/customers/{path:external_id}/flags",
        response=CustomerFlagsOut,
        tags=["customers"],
        summary="Delivery and payment flags of a customer",
    )(customer_flags)
    router.get(
        "/pickup-points/best",
        response=BestPointOut,
        tags=["pickup points"],
        summary="The best pickup point for a customer",
    )(best_point)
    router.get(
        "/pickup-points/nearest",
        response=list[NearbyPointOut],
        tags=["pickup points"],
        summary="The nearest pickup points to a place",
    )(nearest)
