"""Carriers for the demo: their pickup points and lockers, tracking-number formats and the
codes they send with each tracking event (kept as sent; the neutral status is beside it).
"""

from __future__ import annotations

from dataclasses import dataclass

from aftersale.demo.draws import Draws
from aftersale.demo.places import CITIES, City

CARRIERS = ("posti", "matkahuolto", "db_schenker", "postnord", "budbee")

# Carrier shares per delivery method (the demo shop's checkout offers these).
CARRIERS_BY_METHOD = {
    "pickup_point": (("posti", 0.5), ("matkahuolto", 0.3), ("db_schenker", 0.1), ("postnord", 0.1)),
    "parcel_locker": (("posti", 0.55), ("matkahuolto", 0.2), ("budbee", 0.15), ("postnord", 0.1)),
    "home": (("posti", 0.35), ("budbee", 0.4), ("db_schenker", 0.25)),
}

# (carrier's code, description) for each neutral status.
TRACKING_CODES = {
    "posti": {
        "created": ("EDI_RECEIVED", "Lähetystiedot vastaanotettu"),
        "shipped": ("RECEIVED", "Lähetys vastaanotettu"),
        "in_transit": ("IN_TRANSPORT", "Lähetys on kuljetuksessa"),
        "ready_for_pickup": ("READY_FOR_PICKUP", "Noudettavissa"),
        "picked_up": ("DELIVERED", "Luovutettu vastaanottajalle"),
        "delivered": ("DELIVERED", "Toimitettu"),
        "delivery_failed": ("DELIVERY_NOT_SUCCESSFUL", "Toimitus ei onnistunut"),
        "returned_to_sender": ("RETURNED_TO_SENDER", "Palautettu lähettäjälle"),
    },
    "matkahuolto": {
        "created": ("10", "Lähetys rekisteröity"),
        "shipped": ("20", "Lähetys vastaanotettu kuljetukseen"),
        "in_transit": ("30", "Lähetys kuljetuksessa"),
        "ready_for_pickup": ("55", "Lähetys noudettavissa"),
        "picked_up": ("60", "Lähetys luovutettu"),
        "delivered": ("60", "Lähetys luovutettu"),
        "delivery_failed": ("45", "Jakelu epäonnistui"),
        "returned_to_sender": ("80", "Lähetys palautettu lähettäjälle"),
    },
    "db_schenker": {
        "created": ("ENM", "Shipment information received"),
        "shipped": ("COL", "Collected"),
        "in_transit": ("DEP", "Departed from terminal"),
        "ready_for_pickup": ("RFP", "Ready for pickup"),
        "picked_up": ("DLV", "Delivered to consignee"),
        "delivered": ("DLV", "Delivered"),
        "delivery_failed": ("NDL", "Not delivered"),
        "returned_to_sender": ("RTS", "Returned to sender"),
    },
    "postnord": {
        "created": ("EDI", "Elektronisk information mottagen"),
        "shipped": ("SHIPMENT_RECEIVED", "Försändelsen har lämnats in"),
        "in_transit": ("IN_TRANSIT", "Försändelsen är under transport"),
        "ready_for_pickup": ("AVAILABLE_FOR_DELIVERY", "Försändelsen kan hämtas"),
        "picked_up": ("DELIVERED", "Försändelsen har hämtats"),
        "delivered": ("DELIVERED", "Försändelsen har levererats"),
        "delivery_failed": ("DELIVERY_IMPOSSIBLE", "Leveransen misslyckades"),
        "returned_to_sender": ("RETURNED", "Försändelsen returneras till avsändaren"),
    },
    "budbee": {
        "created": ("OrderCreated", "Order created"),
        "shipped": ("CollectedFromMerchant", "Collected from the shop"),
        "in_transit": ("OnRouteToCustomer", "On its way"),
        "ready_for_pickup": ("InBox", "Ready in the Budbee Box"),
        "picked_up": ("PickedUpFromBox", "Picked up from the box"),
        "delivered": ("Delivered", "Delivered"),
        "delivery_failed": ("DeliveryFailed", "Delivery failed"),
        "returned_to_sender": ("ReturnedToMerchant", "Returned to the shop"),
    },
}

COUNTER_HOSTS = ("K-Market", "S-market", "Alepa", "R-kioski", "Sale", "Tokmanni", "Lidl")
LOCKER_HOSTS = ("Prisma", "K-Citymarket", "S-market", "K-Supermarket", "Lidl", "Asema")
COUNTER_HOURS = {
    "mon": [["07:00", "22:00"]],
    "tue": [["07:00", "22:00"]],
    "wed": [["07:00", "22:00"]],
    "thu": [["07:00", "22:00"]],
    "fri": [["07:00", "22:00"]],
    "sat": [["08:00", "22:00"]],
    "sun": [["10:00", "21:00"]],
}
KIOSK_HOURS = {day: [["07:00", "21:00"]] for day in COUNTER_HOURS} | {"sun": [["09:00", "21:00"]]}
# Lockers are open around the clock: one interval from midnight to midnight.
LOCKER_HOURS = {day: [["00:00", "24:00"]] for day in COUNTER_HOURS}
STREETS = ("Keskuskatu", "Kauppakatu", "Asemakatu", "Puistokatu", "Torikatu", "Rantakatu")
LOCKER_NAMES = {
    "posti": "Posti Pakettiautomaatti",
    "matkahuolto": "Matkahuolto Pakettiautomaatti",
    "budbee": "Budbee Box",
    "postnord": "PostNord Pakettiautomaatti",
}
COUNTER_NAMES = {
    "posti": "Posti",
    "matkahuolto": "Matkahuolto",
    "db_schenker": "DB Schenker",
    "postnord": "PostNord",
}


@dataclass(frozen=True, slots=True)
class PickupPoint:
    index: int
    carrier: str
    code: str
    name: str
    kind: str  # "counter" or "locker"
    street: str
    postcode: str
    city: str
    latitude: float
    longitude: float
    opening_hours: dict


def points_per_combination(city: City) -> int:
    """How many points each carrier has of each kind in ``city`` (more in big cities)."""
    return 1 + int(city.weight // 5)


def build_pickup_points(draws: Draws) -> list[PickupPoint]:
    """Counters and lockers of every carrier in every demo city, near the city centre."""
    points: list[PickupPoint] = []
    codes: dict[str, int] = {}
    for city in CITIES:
        for kind, names in (("counter", COUNTER_NAMES), ("locker", LOCKER_NAMES)):
            for carrier in names:
                for _ in range(points_per_combination(city)):
                    codes[carrier] = codes.get(carrier, 0) + 1
                    n = codes[carrier]
                    street = f"{draws.pick(STREETS)} {draws.integer(1, 60)}"
                    if kind == "counter":
                        host = draws.pick(COUNTER_HOSTS)
                        name = f"{names[carrier]}, {host} {street.split()[0]}"
                        hours = KIOSK_HOURS if host == "R-kioski" else COUNTER_HOURS
                    else:
                        host = draws.pick(LOCKER_HOSTS)
                        name = f"{names[carrier]}, {host} {street.split()[0]}"
                        hours = LOCKER_HOURS
                    points.append(
                        PickupPoint(
                            index=len(points),
                            carrier=carrier,
                            code=_code(carrier, n),
                            name=name,
                            kind=kind,
                            street=street,
                            postcode=draws.pick(city.postcodes),
                            city=city.name,
                            latitude=round(city.latitude + draws.normal(0, 0.012), 5),
                            longitude=round(city.longitude + draws.normal(0, 0.024), 5),
                            opening_hours=hours,
                        )
                    )
    return points


def _code(carrier: str, n: int) -> str:
    return {
        "posti": f"{100000 + n * 37:06d}",
        "matkahuolto": f"{1000 + n * 13:04d}",
        "db_schenker": f"FI{3000 + n * 7:05d}",
        "postnord": f"{700000 + n * 11:06d}",
        "budbee": f"BOX{200 + n * 3:04d}",
    }[carrier]


def tracking_number(carrier: str, serial: int) -> str:
    """A tracking number in the carrier's usual shape."""
    if carrier == "posti":
        return f"JJFI6426231{serial:010d}"
    if carrier == "matkahuolto":
        return f"MH{8000000000 + serial}"
    if carrier == "db_schenker":
        return f"{1800000000 + serial}"
    if carrier == "postnord":
        return f"00370730{serial:010d}"
    return f"BUD{serial:09d}"
