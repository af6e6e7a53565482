from aftersale.api.models import IdempotentRequest
from aftersale.orders.models import Order
from tests.api.samples import order_payload


def test_it_returns_the_first_response_to_a_repeated_key(api, shop_a):
    client = api(shop_a.shop)
    headers = {"HTTP_IDEMPOTENCY_KEY": "order-1001-try"}
    first = client.post("/orders", order_payload(), headers=headers)
    second = client.post("/orders", order_payload(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_it_refuses_the_same_key_for_a_different_request(api, shop_a):
    client = api(shop_a.shop)
    headers = {"HTTP_IDEMPOTENCY_KEY": "k1"}
    client.post("/orders", order_payload(), headers=headers)
    response = client.post("/orders", order_payload(shipping_cents=0), headers=headers)
    assert response.status_code == 422
    assert response.json()["type"] == "urn:aftersale:problem:idempotency-key-reused"


def test_it_answers_409_while_the_first_request_runs(api, shop_a):
    client = api(shop_a.shop)
    client.post("/orders", order_payload(), headers={"HTTP_IDEMPOTENCY_KEY": "k2"})
    IdempotentRequest.objects.filter(key="k2").update(status=None)
    response = client.post("/orders", order_payload(), headers={"HTTP_IDEMPOTENCY_KEY": "k2"})
    assert response.status_code == 409


def test_it_keeps_keys_per_shop(api, shop_a, shop_b):
    headers = {"HTTP_IDEMPOTENCY_KEY": "same"}
    assert api(shop_a.shop).post("/orders", order_payload(), headers=headers).status_code == 201
    assert api(shop_b.shop).post("/orders", order_payload(), headers=headers).status_code == 201
    assert Order.objects.for_shop(shop_b.shop).count() == 1


def test_it_does_not_remember_a_refused_request(api, shop_a):
    client = api(shop_a.shop)
    headers = {"HTTP_IDEMPOTENCY_KEY": "k3"}
    bad = {**order_payload(), "placed_at": None}
    assert client.post("/orders", bad, headers=headers).status_code == 422
    assert client.post("/orders", order_payload(), headers=headers).status_code == 201


def test_it_refuses_an_unprintable_key(api, shop_a):
    response = api(shop_a.shop).post(
        "/orders", order_payload(), headers={"HTTP_IDEMPOTENCY_KEY": "x" * 300}
    )
    assert response.status_code == 400
