"""Delivery help for the checkout: address checks on orders, customer flags, pickup points."""

from datetime import timedelta

from django.utils import timezone

from aftersale.delivery.models import ShipmentStatus
from aftersale.orders.models import Order
from tests.api.samples import order_payload
from tests.factories import CustomerFactory, OrderFactory, PickupPointFactory, ShipmentFactory


def test_an_ingested_order_carries_its_address_check(api, shop_a):
    client = api(shop_a.shop)
    good = order_payload("2001")
    bad = order_payload("2002")
    bad["shipping_address"] |= {"postcode": "00100", "city": "Tampere"}
    assert client.post("/orders/batch", {"items": [good, bad]}).status_code == 200
    assert Order.objects.get(external_id="2001").address_check["ok"] is True
    stored = Order.objects.get(external_id="2002").address_check
    assert stored["ok"] is False
    assert {p["field"] for p in stored["problems"]} >= {"city"}
    read = client.get("/orders/2002").json()
    assert read["address_check"]["ok"] is False
    assert read["address_check"]["problems"][0]["code"] == stored["problems"][0]["code"]


def test_a_replayed_order_with_the_same_address_is_unchanged(api, shop_a):
    client = api(shop_a.shop)
    client.post("/orders", order_payload("2003"))
    before = Order.objects.get(external_id="2003").updated_at
    assert client.post("/orders", order_payload("2003")).json()["changed"] is False
    assert Order.objects.get(external_id="2003").updated_at == before


def unclaimed(shop, customer, days_ago):
    ShipmentFactory(
        order=OrderFactory(shop=shop, customer=customer),
        status=ShipmentStatus.RETURNED_TO_SENDER,
        returned_at=timezone.now() - timedelta(days=days_ago),
    )


def test_customer_flags_exclude_cash_on_delivery_after_two_unclaimed(api, shop_a):
    customer = CustomerFactory(shop=shop_a.shop, external_id="c-77")
    client = api(shop_a.shop)
    unclaimed(shop_a.shop, customer, 400)  # over a year ago: does not count
    unclaimed(shop_a.shop, customer, 100)
    flags = client.get("/customers/c-77/flags").json()
    assert flags == {
        "external_id": "c-77",
        "unclaimed_parcels_12_months": 1,
        "flagged_unclaimed": False,
        "allow_cash_on_delivery": True,
        "allow_invoice": True,
        "suggest_home_delivery": False,
    }
    unclaimed(shop_a.shop, customer, 10)
    flags = client.get("/customers/c-77/flags").json()
    assert flags["flagged_unclaimed"] is True
    assert flags["allow_cash_on_delivery"] is False and flags["allow_invoice"] is False


def test_another_shops_customer_has_no_flags_here(api, shop_a, shop_b):
    CustomerFactory(shop=shop_b.shop, external_id="c-theirs")
    response = api(shop_a.shop).get("/customers/c-theirs/flags")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_best_point_is_one_the_customer_used_before(api, shop_a, shop_b):
    shop = shop_a.shop
    customer = CustomerFactory(shop=shop, external_id="c-5", postcode="00100")
    near = PickupPointFactory(shop=shop, code="NEAR", latitude=60.170, longitude=24.940)
    used = PickupPointFactory(shop=shop, code="USED", latitude=60.180, longitude=24.950)
    PickupPointFactory(shop=shop_b.shop, code="FOREIGN", latitude=60.1699, longitude=24.9384)
    ShipmentFactory(
        order=OrderFactory(shop=shop, customer=customer),
        pickup_point=used,
        status=ShipmentStatus.PICKED_UP,
        received_at=timezone.now() - timedelta(days=30),
    )
    client = api(shop)
    best = client.get("/pickup-points/best", {"customer": "c-5"}).json()
    assert best["point"]["code"] == "USED" and best["reason"] == "used_before"
    anonymous = client.get(
        "/pickup-points/best", {"latitude": 60.1699, "longitude": 24.9384}
    ).json()
    assert anonymous["point"]["code"] == "NEAR" and anonymous["reason"] == "nearest"
    nearest = client.get("/pickup-points/nearest", {"latitude": 60.1699, "longitude": 24.9384})
    assert [p["code"] for p in nearest.json()] == ["NEAR", "USED"]
    assert near.pk and "FOREIGN" not in nearest.content.decode()


def test_the_best_point_needs_a_place(api, shop_a):
    response = api(shop_a.shop).get("/pickup-points/best")
    assert response.status_code == 404
    assert "postcode or coordinates" in response.json()["detail"]
    bad = api(shop_a.shop).get("/pickup-points/nearest", {"latitude": 123, "longitude": 0})
    assert bad.status_code == 422


def test_a_carriers_registry_is_loaded_through_the_api(api, shop_a, shop_b):
    from aftersale.delivery.models import PickupPoint

    client = api(shop_a.shop)
    items = [
        {
            "carrier": "posti",
            "code": "100",
            "name": "K-Market Kamppi",
            "street": "Urho Kekkosen katu 1",
            "postcode": "00100",
            "city": "Helsinki",
            "latitude": 60.169,
            "longitude": 24.933,
            "opening_hours": "mon-fri 08:00-21:00; sat 10:00-18:00; sun closed",
        },
        {
            "carrier": "posti",
            "code": "101",
            "name": "Pakettiautomaatti Kamppi",
            "kind": "locker",
            "opening_hours": "mon-sun 00:00-24:00",
        },
    ]
    response = client.post("/pickup-points/import", {"items": items})
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "deactivated": 0, "carriers": ["posti"]}
    point = PickupPoint.objects.for_shop(shop_a.shop).get(code="100")
    assert point.opening_hours["sat"] == [["10:00", "18:00"]] and point.opening_hours["sun"] == []
    assert not PickupPoint.objects.for_shop(shop_b.shop).exists()

    again = client.post("/pickup-points/import", {"items": items[:1], "deactivate_missing": True})
    assert again.json() == {"created": 0, "updated": 1, "deactivated": 1, "carriers": ["posti"]}


def test_a_bad_registry_row_names_its_field_and_stores_nothing(api, shop_a):
    from aftersale.delivery.models import PickupPoint

    items = [
        {"carrier": "posti", "code": "100", "name": "Fine"},
        {"carrier": "posti", "code": "101", "name": "Broken", "opening_hours": "sometimes"},
    ]
    response = api(shop_a.shop).post("/pickup-points/import", {"items": items})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/items/1/opening_hours"
    assert not PickupPoint.objects.for_shop(shop_a.shop).exists()
