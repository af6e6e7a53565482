"""Finding pickup points near a customer, and the best one for them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersale.delivery.models import ShipmentStatus
from aftersale.delivery.opening_hours import parse_opening_hours
from aftersale.delivery.pickup_points import (
    best_pickup_point,
    nearest_points,
    points_used_before,
)
from aftersale.delivery.postcodes import distance_km
from tests.factories import CustomerFactory, OrderFactory, PickupPointFactory, ShipmentFactory

KAMPPI = (60.1690, 24.9330)
# Monday 23 November 2026 at 10:00 in Helsinki.
MONDAY_MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def helsinki(shop):
    return {
        "kamppi": PickupPointFactory(shop=shop, name="Kamppi", latitude=60.1690, longitude=24.9320),
        "toolo": PickupPointFactory(shop=shop, name="Töölö", latitude=60.1840, longitude=24.9200),
        "pasila": PickupPointFactory(
            shop=shop,
            name="Pasila",
            carrier="matkahuolto",
            latitude=60.1990,
            longitude=24.9340,
        ),
        "espoo": PickupPointFactory(shop=shop, name="Tapiola", latitude=60.1756, longitude=24.8054),
        "tampere": PickupPointFactory(
            shop=shop, name="Tampere", latitude=61.4978, longitude=23.7610
        ),
        "closed": PickupPointFactory(
            shop=shop, name="Closed", latitude=60.1691, longitude=24.9331, active=False
        ),
        "weekends": PickupPointFactory(
            shop=shop,
            name="Weekend kiosk",
            latitude=60.1695,
            longitude=24.9335,
            opening_hours=parse_opening_hours("sat-sun 10:00-16:00"),
        ),
    }


def test_it_lists_the_nearest_active_points_nearest_first(helsinki):
    found = nearest_points(helsinki["kamppi"].shop, *KAMPPI, limit=4)

    active = [p for p in helsinki.values() if p.active]
    by_distance = sorted(active, key=lambda p: distance_km(*KAMPPI, p.latitude, p.longitude))
    assert [n.point for n in found] == by_distance[:4]
    assert [n.point.name for n in found] == ["Kamppi", "Weekend kiosk", "Töölö", "Pasila"]
    assert found[0].distance_km == pytest.approx(distance_km(*KAMPPI, 60.1690, 24.9320))


def test_it_widens_the_search_until_it_finds_enough(helsinki):
    found = nearest_points(helsinki["kamppi"].shop, *KAMPPI, limit=10)
    assert [n.point.name for n in found][-1] == "Tampere"
    assert len(found) == 6


def test_it_filters_by_carrier_and_opening_time(helsinki):
    shop = helsinki["kamppi"].shop
    assert [n.point.name for n in nearest_points(shop, *KAMPPI, carrier="Matkahuolto")] == [
        "Pasila"
    ]
    open_now = nearest_points(shop, *KAMPPI, open_at=MONDAY_MORNING, limit=2)
    assert [n.point.name for n in open_now] == ["Kamppi", "Töölö"]


def test_it_never_shows_another_shops_points(helsinki, other_shop):
    PickupPointFactory(shop=other_shop, name="Theirs", latitude=60.1690, longitude=24.9330)
    names = [n.point.name for n in nearest_points(helsinki["kamppi"].shop, *KAMPPI, limit=20)]
    assert "Theirs" not in names
    assert [n.point.name for n in nearest_points(other_shop, *KAMPPI)] == ["Theirs"]


def picked_up(shop, customer, point, when):
    order = OrderFactory(shop=shop, customer=customer)
    return ShipmentFactory(
        shop=shop,
        order=order,
        pickup_point=point,
        status=ShipmentStatus.PICKED_UP,
        received_at=when,
    )


def test_it_counts_the_points_a_customer_picked_up_from(helsinki):
    shop = helsinki["kamppi"].shop
    customer = CustomerFactory(shop=shop)
    picked_up(shop, customer, helsinki["toolo"], datetime(2026, 5, 1, tzinfo=UTC))
    picked_up(shop, customer, helsinki["toolo"], datetime(2026, 6, 1, tzinfo=UTC))
    picked_up(shop, customer, helsinki["espoo"], datetime(2026, 7, 1, tzinfo=UTC))
    # Not picked up: returned unclaimed, or a home delivery.
    ShipmentFactory(
        shop=shop,
        order=OrderFactory(shop=shop, customer=customer),
        pickup_point=helsinki["kamppi"],
        status=ShipmentStatus.RETURNED_TO_SENDER,
    )
    picked_up(shop, CustomerFactory(shop=shop), helsinki["kamppi"], None)  # someone else

    used = points_used_before(shop, customer)

    assert [(u.point.name, u.times) for u in used] == [("Töölö", 2), ("Tapiola", 1)]
    assert used[0].last_picked_up_at == datetime(2026, 6, 1, tzinfo=UTC)


def test_it_suggests_the_point_the_customer_picked_up_from_before(helsinki):
    shop = helsinki["kamppi"].shop
    customer = CustomerFactory(shop=shop, postcode="00100")
    picked_up(shop, customer, helsinki["toolo"], datetime(2026, 5, 1, tzinfo=UTC))

    choice = best_pickup_point(shop, customer, latitude=KAMPPI[0], longitude=KAMPPI[1])

    assert choice.point == helsinki["toolo"]
    assert choice.reason == "used_before"
    assert choice.times_used == 1
    assert "picked up 1 parcel from here" in choice.reason_text


def test_it_skips_a_familiar_point_that_closed_or_is_far_away(helsinki):
    shop = helsinki["kamppi"].shop
    customer = CustomerFactory(shop=shop)
    picked_up(shop, customer, helsinki["closed"], datetime(2026, 5, 1, tzinfo=UTC))
    picked_up(shop, customer, helsinki["tampere"], datetime(2026, 6, 1, tzinfo=UTC))

    choice = best_pickup_point(shop, customer, postcode="00100", open_at=MONDAY_MORNING)

    assert choice.reason == "nearest"
    assert choice.point == helsinki["kamppi"]
    assert "km away" in choice.reason_text
    assert [n.point.name for n in choice.alternatives] == ["Töölö", "Pasila"]


def test_it_uses_the_customers_own_postcode_when_no_place_is_given(helsinki):
    shop = helsinki["kamppi"].shop
    customer = CustomerFactory(shop=shop, postcode="33100", city="Tampere")
    choice = best_pickup_point(shop, customer)
    assert choice.point == helsinki["tampere"]


def test_it_suggests_nothing_without_a_place_or_history(helsinki):
    shop = helsinki["kamppi"].shop
    customer = CustomerFactory(shop=shop, postcode="", city="")
    assert best_pickup_point(shop, customer) is None
