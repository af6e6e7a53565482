"""Finnish postcodes shipped with the project: the locality a postcode belongs to, and where.

The table is ``data/fi_postcodes.json`` (built by ``data/build_fi_postcodes.py``; sources, coverage
and how to refresh it are in docs/developers/carriers.md). Coordinates are those of the
post-office locality (its town or village centre), not of the postcode area's own centroid, so a
distance computed from them is good to a few kilometres in a town and coarser in a big city.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Locality:
    """A post-office locality: the names a customer may write for it, and where it is."""

    name: str
    names: frozenset[str]
    latitude: float | None
    longitude: float | None
    population: int


def normalise_place_name(name: str) -> str:
    """Compare place names case-, space-, hyphen- and (for typed ASCII) diacritic-insensitively."""
    text = " ".join(name.replace("-", " ").split()).casefold()
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


@cache
def _table() -> tuple[dict[str, list[str]], dict[str, dict], dict[str, str]]:
    raw = (resources.files("aftersale.delivery") / "data" / "fi_postcodes.json").read_text(
        encoding="utf-8"
    )
    data = json.loads(raw)
    places: dict[str, dict] = data["places"]
    # Any name of a place finds it; a place's own name wins over another place's other name.
    alias: dict[str, str] = {}
    for key, place in places.items():
        for other in place["names"]:
            alias.setdefault(normalise_place_name(other), key)
    for key, place in places.items():
        alias[normalise_place_name(place["name"])] = key
    return data["postcodes"], places, alias


def is_known_postcode(postcode: str) -> bool:
    return postcode in _table()[0]


@lru_cache(maxsize=8192)
def finnish_locality(postcode: str) -> Locality | None:
    """The locality of a Finnish postcode, or None when no such postcode exists."""
    postcodes, places, alias = _table()
    names = postcodes.get(postcode)
    if names is None:
        return None
    accepted = {normalise_place_name(name) for name in names}
    # names = [municipality, post-office locality or company]; the most specific place wins.
    located: dict | None = None
    display = names[0]
    for name in reversed(names):
        key = alias.get(normalise_place_name(name))
        if key is None:
            continue
        place = places[key]
        accepted.add(normalise_place_name(place["name"]))
        accepted.update(normalise_place_name(other) for other in place["names"])
        if located is None:
            located, display = place, name
    return Locality(
        name=display,
        names=frozenset(accepted),
        latitude=located["lat"] if located else None,
        longitude=located["lon"] if located else None,
        population=max(
            (
                places[alias[n]]["population"]
                for n in map(normalise_place_name, names)
                if n in alias
            ),
            default=0,
        ),
    )


def postcode_location(postcode: str, country: str = "FI") -> tuple[float, float] | None:
    """Approximate (latitude, longitude) of a postcode, or None when it is not known."""
    if (country or "FI").upper() != "FI":
        return None
    locality = finnish_locality(postcode.replace(" ", ""))
    if locality is None or locality.latitude is None or locality.longitude is None:
        return None
    return locality.latitude, locality.longitude


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
