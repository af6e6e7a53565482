from aftersale.orders.models import Customer
from aftersale.timeline.models import Event


def test_it_creates_and_partially_updates_a_customer(api, shop_a):
    client = api(shop_a.shop)
    response = client.post(
        "/customers",
        {"external_id": "c-9", "email": "eero@example.fi", "first_name": "Eero", "language": "sv"},
    )
    assert response.status_code == 201
    client.post("/customers", {"external_id": "c-9", "phone": "+358401234567"})
    customer = Customer.objects.for_shop(shop_a.shop).get(external_id="c-9")
    assert (customer.first_name, customer.phone, customer.language) == (
        "Eero",
        "+358401234567",
        "sv",
    )


def test_it_records_a_consent_change(api, shop_a):
    client = api(shop_a.shop)
    client.post("/customers", {"external_id": "c-9", "marketing_consent": False})
    client.post("/customers", {"external_id": "c-9", "marketing_consent": True})
    customer = Customer.objects.get(external_id="c-9")
    assert customer.marketing_consent is True
    assert customer.consent_source == "api"
    assert Event.objects.filter(type="customer.consent_changed").count() == 1


def test_it_lists_and_reads_customers_of_its_own_shop_only(api, shop_a, shop_b):
    api(shop_a.shop).post(
        "/customers/batch", {"items": [{"external_id": "a1"}, {"external_id": "a2"}]}
    )
    body = api(shop_a.shop).get("/customers").json()
    assert [c["external_id"] for c in body["items"]] == ["a1", "a2"]
    assert api(shop_a.shop).get("/customers/a1").json()["external_id"] == "a1"
    assert api(shop_b.shop).get("/customers/a1").status_code == 404
    assert api(shop_b.shop).get("/customers").json()["items"] == []
