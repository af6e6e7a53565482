"""Importing a carrier's pickup-point registry: all rows or none; errors name row and column."""

from __future__ import annotations

import pytest

from aftersale.delivery.models import PickupPoint
from aftersale.delivery.pickup_points import PickupPointImportError, import_pickup_points
from aftersale.timeline.models import Event
from tests.factories import PickupPointFactory


def row(**overrides) -> dict[str, str]:
    values = {
        "carrier": "Posti",
        "code": "905253201",
        "name": "Pakettiautomaatti, Sale Toppila",
        "kind": "locker",
        "street": "Paakakatu 2",
        "postcode": "90525",
        "city": "Oulu",
        "latitude": "65.0456",
        "longitude": "25.4336",
        "opening_hours": "mon-sat 07:00-22:00; sun 09:00-22:00",
    }
    values.update(overrides)
    return values


def test_it_creates_the_points_of_the_file(shop):
    result = import_pickup_points(
        shop, [row(), row(code="1001", name="Posti Kamppi", kind="counter")]
    )

    assert (result.created, result.updated, result.deactivated) == (2, 0, 0)
    locker = PickupPoint.objects.for_shop(shop).get(code="905253201")
    assert locker.carrier == "posti"
    assert locker.kind == "locker"
    assert (locker.latitude, locker.longitude) == (65.0456, 25.4336)
    assert locker.opening_hours["sun"] == [["09:00", "22:00"]]
    assert locker.active
    event = Event.objects.for_shop(shop).get(type="pickup_points.imported")
    assert event.payload == {"carriers": ["posti"], "created": 2, "updated": 0, "deactivated": 0}


def test_it_updates_known_points_and_closes_the_ones_no_longer_listed(shop):
    known = PickupPointFactory(shop=shop, carrier="posti", code="905253201", name="Old")
    gone = PickupPointFactory(shop=shop, carrier="posti", code="777")
    other_carrier = PickupPointFactory(shop=shop, carrier="matkahuolto", code="777")

    result = import_pickup_points(shop, [row()])

    assert (result.created, result.updated, result.deactivated) == (0, 1, 1)
    known.refresh_from_db()
    gone.refresh_from_db()
    other_carrier.refresh_from_db()
    assert known.name == "Pakettiautomaatti, Sale Toppila"
    assert not gone.active
    assert other_carrier.active, "only the imported carrier's registry is replaced"


def test_it_can_keep_points_the_file_does_not_list(shop):
    kept = PickupPointFactory(shop=shop, carrier="posti", code="777")
    import_pickup_points(shop, [row()], deactivate_missing=False)
    kept.refresh_from_db()
    assert kept.active


def test_it_writes_nothing_when_any_row_is_bad_and_names_every_problem(shop):
    rows = [
        row(),
        row(code="", kind="kiosk"),
        row(code="2", latitude="north", opening_hours="mon-fri 8-21"),
        row(code="3", longitude=""),
        row(code="905253201"),
    ]

    with pytest.raises(PickupPointImportError) as caught:
        import_pickup_points(shop, rows)

    problems = {(e.row, e.column) for e in caught.value.errors}
    assert problems == {
        (3, "code"),
        (3, "kind"),
        (4, "latitude"),
        (4, "opening_hours"),
        (5, "longitude"),
        (6, "code"),
    }
    assert "Row 6, column “code”: Code 905253201 of posti is already on row 2." in str(caught.value)
    assert not PickupPoint.objects.for_shop(shop).exists()
    assert not Event.objects.for_shop(shop).exists()


def test_it_rejects_a_file_without_the_columns(shop):
    with pytest.raises(PickupPointImportError) as caught:
        import_pickup_points(shop, [{"id": "1", "title": "Kiosk"}])
    error = caught.value.errors[0]
    assert error.row == 1
    assert "carrier" in error.column and "opening_hours" in error.column


def test_it_rejects_an_empty_file(shop):
    with pytest.raises(PickupPointImportError, match="no pickup points"):
        import_pickup_points(shop, [])


def test_it_accepts_decimal_commas_and_missing_hours(shop):
    import_pickup_points(shop, [row(latitude="60,1699", longitude="24,9384", opening_hours="")])
    point = PickupPoint.objects.for_shop(shop).get()
    assert (point.latitude, point.longitude) == (60.1699, 24.9384)
    assert point.opening_hours == {}


def test_it_keeps_shops_apart(shop, other_shop):
    theirs = PickupPointFactory(shop=other_shop, carrier="posti", code="777")

    import_pickup_points(shop, [row()])

    theirs.refresh_from_db()
    assert theirs.active
    assert not PickupPoint.objects.for_shop(other_shop).filter(code="905253201").exists()
