"""Address checks: what the merchant sees on an order whose address may not reach the customer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.utils import translation

from aftersale.delivery.addresses import AddressCheck, check_address

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def codes(check: AddressCheck) -> list[str]:
    return [problem.code for problem in check.problems]


@pytest.mark.parametrize(
    ("street", "postcode", "city"),
    [
        ("Mannerheimintie 1 A 5", "00100", "Helsinki"),
        ("Mannerheimintie 1 A 5", "00100", "Helsingfors"),
        ("Hämeenkatu 12 B 34", "33100", "Tampere"),
        ("Hämeenkatu 12 B 34", "33100", "TAMPERE"),
        ("Hovrättsesplanaden 3 as 7", "65100", "Vaasa"),
        ("Hovrättsesplanaden 3 as 7", "65100", "Vasa"),
        ("Kirkkokatu 4 C 21", "90100", "Oulu"),
        ("Kirkkokatu 4 C 21", "90100", "Uleåborg"),
        ("Rantatie 3", "10600", "Tammisaari"),
        ("Rantatie 3", "10600", "Ekenäs"),
        ("Rantatie 3", "10600", "Raasepori"),
        ("Kauppatori 1", "68600", "Jakobstad"),
    ],
)
def test_it_accepts_real_finnish_addresses_in_finnish_or_swedish(street, postcode, city):
    check = check_address(street, postcode, city, "FI", now=NOW)

    assert check.ok, check.problems
    assert check.problems == []
    assert not check.needs_confirmation


def test_it_accepts_a_city_typed_without_the_dots():
    assert check_address("Hämeenkatu 12 B 34", "13100", "Hameenlinna", "FI").ok


def test_it_flags_a_postcode_of_another_city():
    check = check_address("Hämeenkatu 12 B 34", "00100", "Tampere", "FI", now=NOW)

    assert not check.ok
    assert codes(check) == ["postcode_city_mismatch"]
    problem = check.problems[0]
    assert problem.field == "city"
    assert problem.message == "Postcode 00100 belongs to Helsinki, not to Tampere."


@pytest.mark.parametrize("postcode", ["00999", "12345"])
def test_it_flags_a_postcode_that_does_not_exist(postcode):
    check = check_address("Katu 1 A 1", postcode, "Helsinki", "FI")

    assert not check.ok
    assert codes(check) == ["postcode_unknown"]
    assert check.problems[0].field == "postcode"
    assert postcode in check.problems[0].message


def test_it_knows_santas_postcode_is_real():
    """99999 looks made up, but it is Korvatunturi's (Santa Claus's) real postcode."""
    assert check_address("Joulupukin katu 1", "99999", "Korvatunturi", "FI").ok


@pytest.mark.parametrize("postcode", ["0010", "001000", "ABCDE", "00-100"])
def test_it_flags_a_postcode_that_is_not_five_digits(postcode):
    check = check_address("Katu 1 A 1", postcode, "Helsinki", "FI")

    assert codes(check) == ["postcode_invalid"]
    assert "five digits" in check.problems[0].message


def test_it_tolerates_a_space_in_the_postcode():
    assert check_address("Mannerheimintie 1 A 5", " 00 100", "Helsinki", "FI").ok


def test_it_names_every_missing_field():
    check = check_address("", "", "", "FI")

    assert codes(check) == ["street_missing", "postcode_missing", "city_missing"]
    assert [p.field for p in check.problems] == ["street", "postcode", "city"]


@pytest.mark.parametrize(
    ("street", "postcode", "city"),
    [
        ("Hämeenkatu 12", "33100", "Tampere"),
        ("Mannerheimintie 5", "00100", "Helsinki"),
        ("Kirkkokatu 4-6", "90100", "Oulu"),
    ],
)
def test_it_warns_of_a_missing_flat_number_in_a_big_city(street, postcode, city):
    check = check_address(street, postcode, city, "FI")

    assert check.ok, "a missing flat number is a warning, not an error"
    assert check.needs_confirmation
    assert codes(check) == ["flat_number_missing"]
    assert check.problems[0].severity == "warning"
    assert check.problems[0].field == "street"


@pytest.mark.parametrize(
    ("street", "postcode", "city"),
    [
        ("Hämeenkatu 12 B 34", "33100", "Tampere"),  # staircase and flat
        ("Hämeenkatu 12 as 4", "33100", "Tampere"),  # "asunto" flat
        ("Rivitalontie 5 B", "33100", "Tampere"),  # row house unit letter
        ("PL 123", "00100", "Helsinki"),  # post office box
        ("Kirkkotie 12", "10600", "Tammisaari"),  # small town: likely a house
    ],
)
def test_it_does_not_ask_for_a_flat_number_without_reason(street, postcode, city):
    assert check_address(street, postcode, city, "FI").problems == []


def test_it_does_not_ask_for_a_flat_number_when_the_parcel_goes_to_a_pickup_point():
    point = SimpleNamespace(
        name="K-Market Hervanta", active=True, latitude=61.45, longitude=23.85, postcode="33720"
    )
    check = check_address("Hämeenkatu 12", "33100", "Tampere", "FI", pickup_point=point)

    assert check.problems == []


def test_it_only_checks_that_fields_are_filled_outside_finland():
    assert check_address("Drottninggatan 1", "111 51", "Stockholm", "SE").ok
    assert codes(check_address("Drottninggatan 1", "", "Stockholm", "SE")) == ["postcode_missing"]


def test_it_flags_a_closed_pickup_point(db):
    from tests.factories import PickupPointFactory

    point = PickupPointFactory(name="R-Kioski Kamppi", active=False)
    check = check_address("Mannerheimintie 1 A 5", "00100", "Helsinki", "FI", pickup_point=point)

    assert not check.ok
    assert codes(check) == ["pickup_point_closed"]
    assert "R-Kioski Kamppi" in check.problems[0].message


def test_it_flags_a_pickup_point_far_from_the_address(db):
    from tests.factories import PickupPointFactory

    in_oulu = PickupPointFactory(name="Posti Oulu", latitude=65.0124, longitude=25.4682)
    check = check_address("Hämeenkatu 12 B 34", "33100", "Tampere", "FI", pickup_point=in_oulu)

    assert check.ok and check.needs_confirmation
    assert codes(check) == ["pickup_point_far"]
    assert check.problems[0].params["distance_km"] > 300
    assert "Posti Oulu" in check.problems[0].message


def test_it_measures_a_pickup_point_without_coordinates_by_its_postcode(db):
    from tests.factories import PickupPointFactory

    point = PickupPointFactory(latitude=None, longitude=None, postcode="90100", city="Oulu")
    assert codes(check_address("Katu 1 A 1", "00100", "Helsinki", "FI", pickup_point=point)) == [
        "pickup_point_far"
    ]


def test_it_accepts_a_near_pickup_point_and_the_threshold_is_configurable(db):
    from tests.factories import PickupPointFactory

    # Espoo Tapiola, about 10 km from central Helsinki.
    point = PickupPointFactory(latitude=60.1756, longitude=24.8054)
    assert check_address("Katu 1 A 1", "00100", "Helsinki", "FI", pickup_point=point).ok
    strict = check_address(
        "Katu 1 A 1", "00100", "Helsinki", "FI", pickup_point=point, max_pickup_distance_km=5
    )
    assert [p.code for p in strict.problems] == ["pickup_point_far"]


def test_it_is_json_serialisable_and_reads_back_in_the_viewers_language():
    check = check_address("Hämeenkatu 12", "00100", "Tampere", "FI", now=NOW)

    stored = json.loads(json.dumps(check.to_dict()))
    assert stored["ok"] is False
    assert stored["needs_confirmation"] is True
    assert stored["checked_at"] == "2026-11-23T09:00:00+00:00"
    assert stored["problems"][0] == {
        "code": "postcode_city_mismatch",
        "field": "city",
        "severity": "error",
        "message": "Postcode 00100 belongs to Helsinki, not to Tampere.",
        "params": {"postcode": "00100", "city": "Tampere", "expected": "Helsinki"},
    }
    with translation.override("fi"):
        again = AddressCheck.from_dict(stored)
    assert again.problems[0].code == "postcode_city_mismatch"
    assert again.checked_at == NOW


@pytest.mark.parametrize(
    ("language", "word"), [("fi", "Postinumero"), ("sv", "Postnummer"), ("en", "Postcode")]
)
def test_it_speaks_finnish_swedish_and_english(language, word):
    with translation.override(language):
        check = check_address("Katu 1 A 1", "00100", "Tampere", "FI")
    assert check.problems[0].message.startswith(word)
