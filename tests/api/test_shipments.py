from aftersale.delivery.models import Shipment
from aftersale.timeline.models import Event
from tests.api.samples import order_payload


def shipment(**overrides):
    body = {
        "external_id": "s-1",
        "order_external_id": "1001",
        "carrier": "posti",
        "tracking_number": "JJFI6400000000001",
        "events": [
            {"carrier_code": "20", "status": "shipped", "occurred_at": "2026-11-03T08:00:00Z"}
        ],
    }
    body.update(overrides)
    return body


def test_it_creates_a_shipment_with_its_events(api, shop_a):
    client = api(shop_a.shop)
    client.post("/orders", order_payload())
    response = client.post("/shipments", shipment())
    assert response.status_code == 201, response.content
    parcel = Shipment.objects.for_shop(shop_a.shop).get()
    assert parcel.status == "shipped"
    assert parcel.pickup_point.code == "001234", "the order's pickup point is the default"
    types = list(Event.objects.filter(subject_type="shipment").values_list("type", flat=True))
    assert types == ["shipment.created", "shipment.shipped"]


def test_it_takes_tracking_events_on_their_own(api, shop_a):
    client = api(shop_a.shop)
    client.post("/orders", order_payload())
    client.post("/shipments", shipment())
    response = client.post(
        "/tracking-events/batch",
        {
            "items": [
                {"shipment_external_id": "s-1", "carrier_code": "READY", "status":
                 "ready_for_pickup", "occurred_at": "2026-11-04T08:00:00Z",
                 "held_until": "2026-11-18T21:59:00Z"},
                {"shipment_external_id": "s-1", "carrier_code": "X99",
                 "occurred_at": "2026-11-04T09:00:00Z"},
            ]
        },
    )  # fmt: skip
    assert response.status_code == 200, response.content
    parcel = client.get("/shipments/s-1").json()
    assert parcel["status"] == "ready_for_pickup"
    assert parcel["held_until"].startswith("2026-11-18")
    assert [e["status"] for e in parcel["events"]] == ["shipped", "ready_for_pickup", "unknown"]
    assert parcel["events"][2]["carrier_code"] == "X99"


def test_it_keeps_shipments_apart(api, shop_a, shop_b):
    api(shop_a.shop).post("/orders", order_payload())
    api(shop_a.shop).post("/shipments", shipment())
    assert api(shop_b.shop).get("/shipments/s-1").status_code == 404
    assert api(shop_b.shop).get("/shipments").json()["items"] == []
    response = api(shop_b.shop).post(
        "/tracking-events",
        {"shipment_external_id": "s-1", "carrier_code": "X", "occurred_at": "2026-11-04T09:00:00Z"},
    )
    assert response.status_code == 404
    assert api(shop_b.shop).post("/shipments", shipment()).status_code == 404
