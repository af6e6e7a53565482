"""Address checks at ingest: catch a wrong postcode, a missing flat number or a poor pickup point
before the parcel leaves, while the customer can still be asked.

``check_address(...)`` returns an :class:`AddressCheck` whose ``to_dict()`` is stored in
``Order.address_check`` and shown on the order page and in the API. The rules are described for
developers in docs/developers/carriers.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from aftersale.delivery.postcodes import (
    distance_km,
    finnish_locality,
    normalise_place_name,
    postcode_location,
)

ERROR = "error"
WARNING = "warning"

# A pickup point farther than this from the address (in km) is flagged. Distances use the
# post-office locality's coordinates (see postcodes.py), so keep the threshold generous.
DEFAULT_MAX_PICKUP_DISTANCE_KM = 25.0

# Localities this populous are mostly blocks of flats: a street address there that ends at the
# house number ("Hämeenkatu 12") probably lacks the staircase and flat ("Hämeenkatu 12 B 34").
DENSE_AREA_POPULATION = 100_000

FINNISH_POSTCODE = re.compile(r"^\d{5}$")
# Ends at a house number: "Katu 12", "Katu 12-14", "Katu 12a" (a lowercase plot letter).
ENDS_AT_HOUSE_NUMBER = re.compile(r"^\D+\s\d+(\s?[a-zåäö])?(\s?-\s?\d+[a-zåäö]?)?$")
POST_OFFICE_BOX = re.compile(r"^(pl|postilokero|pb|box|postbox|po box|p\.o\. box)\b", re.I)

MESSAGES = {
    "street_missing": gettext_lazy("The street address is missing."),
    "postcode_missing": gettext_lazy("The postcode is missing."),
    "city_missing": gettext_lazy("The city is missing."),
    "postcode_invalid": gettext_lazy(
        "“%(postcode)s” is not a Finnish postcode: it should be five digits, e.g. 00100."
    ),
    "postcode_unknown": gettext_lazy("Postcode %(postcode)s does not exist in Finland."),
    "postcode_city_mismatch": gettext_lazy(
        "Postcode %(postcode)s belongs to %(expected)s, not to %(city)s."
    ),
    "flat_number_missing": gettext_lazy(
        "Missing flat number? In %(city)s most addresses are in blocks of flats "
        "(e.g. “%(street)s B 12”)."
    ),
    "pickup_point_closed": gettext_lazy(
        "The pickup point %(name)s is closed: it is no longer in the carrier's registry."
    ),
    "pickup_point_far": gettext_lazy(
        "The pickup point %(name)s is about %(distance_km)s km from the address."
    ),
}


def problem_message(code: str, params: dict[str, Any] | None = None) -> str:
    """The problem's message in the active language (used again when a stored check is shown)."""
    template = MESSAGES.get(code)
    if template is None:
        return code
    return str(template) % (params or {})


@dataclass(frozen=True)
class Problem:
    """One thing to look at: ``code`` for programs, the ``field`` it is about, and a ``message``."""

    code: str
    field: str
    message: str
    severity: str = ERROR
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, code: str, field: str, severity: str = ERROR, **params: Any) -> Problem:
        return cls(code, field, problem_message(code, params), severity, params)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "field": self.field,
            "severity": self.severity,
            "message": self.message,
            "params": self.params,
        }


@dataclass(frozen=True)
class AddressCheck:
    """The result: ``ok`` when nothing is wrong; warnings still ask the merchant to confirm."""

    ok: bool
    problems: list[Problem]
    checked_at: datetime | None = None

    @property
    def needs_confirmation(self) -> bool:
        """True when the merchant should confirm the address with the customer before shipping."""
        return bool(self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "needs_confirmation": self.needs_confirmation,
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
            "problems": [problem.to_dict() for problem in self.problems],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AddressCheck:
        """A stored check, its messages rendered again in the active language."""
        problems = [
            Problem(
                code=item["code"],
                field=item.get("field", ""),
                message=problem_message(item["code"], item.get("params") or {})
                if item["code"] in MESSAGES
                else item.get("message", item["code"]),
                severity=item.get("severity", ERROR),
                params=item.get("params") or {},
            )
            for item in data.get("problems", [])
        ]
        checked_at = data.get("checked_at")
        return cls(
            ok=bool(data.get("ok", not problems)),
            problems=problems,
            checked_at=datetime.fromisoformat(checked_at) if checked_at else None,
        )


def check_address(
    street: str,
    postcode: str,
    city: str,
    country: str = "FI",
    *,
    pickup_point: Any = None,
    now: datetime | None = None,
    max_pickup_distance_km: float = DEFAULT_MAX_PICKUP_DISTANCE_KM,
) -> AddressCheck:
    """Check a delivery address (and the chosen pickup point, if any).

    Finnish addresses are checked against the shipped postcode table; other countries only for
    missing fields. ``pickup_point`` is a PickupPoint (or anything with ``name``, ``active``,
    ``latitude``, ``longitude``, ``postcode`` and ``country``).
    """
    street = (street or "").strip()
    postcode = (postcode or "").strip()
    city = (city or "").strip()
    country = (country or "FI").strip().upper()
    problems: list[Problem] = []

    if not street and pickup_point is None:
        problems.append(Problem.of("street_missing", "street"))
    if not postcode:
        problems.append(Problem.of("postcode_missing", "postcode"))
    if not city:
        problems.append(Problem.of("city_missing", "city"))

    if country == "FI" and postcode:
        problems.extend(_check_finnish_locality(street, postcode, city, pickup_point))
    if pickup_point is not None:
        problems.extend(
            _check_pickup_point(pickup_point, postcode, country, max_pickup_distance_km)
        )

    return AddressCheck(
        ok=not any(problem.severity == ERROR for problem in problems),
        problems=problems,
        checked_at=now or timezone.now(),
    )


def _check_finnish_locality(
    street: str, postcode: str, city: str, pickup_point: Any
) -> list[Problem]:
    compact = postcode.replace(" ", "")
    if not FINNISH_POSTCODE.match(compact):
        return [Problem.of("postcode_invalid", "postcode", postcode=postcode)]
    locality = finnish_locality(compact)
    if locality is None:
        return [Problem.of("postcode_unknown", "postcode", postcode=compact)]
    problems = []
    if city and normalise_place_name(city) not in locality.names:
        problems.append(
            Problem.of(
                "postcode_city_mismatch",
                "city",
                postcode=compact,
                city=city,
                expected=locality.name,
            )
        )
    # A parcel for a pickup point is not carried to the door: the flat number doesn't matter.
    if (
        pickup_point is None
        and street
        and locality.population >= DENSE_AREA_POPULATION
        and ENDS_AT_HOUSE_NUMBER.match(street)
        and not POST_OFFICE_BOX.match(street)
    ):
        problems.append(
            Problem.of("flat_number_missing", "street", WARNING, city=locality.name, street=street)
        )
    return problems


def _check_pickup_point(
    point: Any, postcode: str, country: str, max_distance_km: float
) -> list[Problem]:
    if not getattr(point, "active", True):
        return [Problem.of("pickup_point_closed", "pickup_point", name=point.name)]
    here = postcode_location(postcode, country) if postcode else None
    there: tuple[float, float] | None = None
    if point.latitude is not None and point.longitude is not None:
        there = (point.latitude, point.longitude)
    elif point.postcode:
        there = postcode_location(point.postcode, getattr(point, "country", "FI"))
    if here is None or there is None:
        return []
    distance = distance_km(*here, *there)
    if distance <= max_distance_km:
        return []
    return [
        Problem.of(
            "pickup_point_far",
            "pickup_point",
            WARNING,
            name=point.name,
            distance_km=round(distance),
        )
    ]
