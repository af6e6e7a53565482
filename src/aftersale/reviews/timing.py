"""When a parcel reached its buyer, whether it was late, and when to ask for a review.

A review is asked for a number of days after **actual receipt**: the carrier's "delivered"
event for a home delivery, "picked up" for a pickup point or parcel locker (never "ready for
pickup": a parcel waiting in a locker has not been tried yet).

Late, in this order of evidence:

1. the tracking data has a promised or estimated date (``Shipment.expected_delivery``):
   the parcel was late when it was received on a later day (in the shop's time zone);
2. otherwise, if the ship date is known: late when it was received later than the carrier's
   usual transit time, ``USUAL_TRANSIT_DAYS`` working days after it was shipped (weekends and
   the shop country's public holidays are not working days);
3. otherwise it is not called late (we do not apologise on a guess).
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta

import holidays

from aftersale.delivery.models import Shipment

# Working days from handing a domestic parcel to the carrier until it is normally delivered
# or ready, as the carriers state their standard domestic service (Posti and Matkahuolto
# 1–2, PostNord 1–3, Budbee next day, DB Schenker 1–3 days).
USUAL_TRANSIT_DAYS = {"posti": 2, "matkahuolto": 2, "postnord": 3, "budbee": 1, "schenker": 3}
DEFAULT_TRANSIT_DAYS = 3


def _local_date(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def add_working_days(start: date, days: int, country: str) -> date:
    """The date ``days`` working days after ``start`` (weekends and public holidays skipped)."""
    try:
        closed = holidays.country_holidays(country, years=range(start.year, start.year + 2))
    except NotImplementedError:
        closed = {}
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in closed:
            days -= 1
    return current


def promised_date(shipment: Shipment, shop) -> date | None:
    """The day the parcel was promised or normally expected, or None if nothing says."""
    if shipment.expected_delivery is not None:
        return shipment.expected_delivery
    if shipment.shipped_at is None:
        return None
    transit = USUAL_TRANSIT_DAYS.get((shipment.carrier or "").lower(), DEFAULT_TRANSIT_DAYS)
    return add_working_days(_local_date(shipment.shipped_at, shop.time_zone), transit, shop.country)


def parcel_was_late(shipment: Shipment, shop, received_at: datetime) -> bool:
    promised = promised_date(shipment, shop)
    return promised is not None and _local_date(received_at, shop.time_zone) > promised
