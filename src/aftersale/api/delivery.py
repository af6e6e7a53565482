"""Delivery help for the shop's checkout: customer flags and the best pickup point.

* ``GET /customers/{external_id}/flags`` — whether to offer cash on delivery or invoice, and
  whether to suggest home delivery, from the customer's unclaimed parcels of the last 12 months.
* ``GET /pickup-points/best`` — the point the customer picked up from before, else the nearest.
* ``GET /pickup-points/nearest`` — the nearest active (or open) points to a place.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from aftersale.api.problems import not_found
from aftersale.api.reads import _one, _pickup_point
from aftersale.api.schemas import PickupPointOut
from aftersale.delivery.pickup_points import best_pickup_point, nearest_points
from aftersale.delivery.selectors import FLAG_THRESHOLD, recent_unclaimed
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
    open_at: datetime | None = Field(None, description="Only points open at this time.")
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


def add_delivery_endpoints(router: Router) -> None:
    router.get(
        "/customers/{external_id}/flags",
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
