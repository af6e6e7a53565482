from aftersale.orders.models import Payment, Refund
from aftersale.timeline.models import Event
from tests.api.samples import order_payload


def test_it_records_payments_and_refunds_of_an_order(api, shop_a):
    client = api(shop_a.shop)
    client.post("/orders", order_payload())
    paid = client.post(
        "/payments",
        {"external_id": "pay-1", "order_external_id": "1001", "amount_cents": 5560,
         "paid_at": "2026-11-02T10:01:00Z", "method": "mobile"},
    )  # fmt: skip
    assert paid.status_code == 201
    refunded = client.post(
        "/refunds",
        {"external_id": "ref-1", "order_external_id": "1001", "amount_cents": 990,
         "reason": "Cap too small", "refunded_at": "2026-11-12T10:00:00Z"},
    )  # fmt: skip
    assert refunded.status_code == 201
    assert Payment.objects.get().currency == "EUR"
    assert Refund.objects.get().amount_cents == 990
    assert Event.objects.filter(type="refund.issued").count() == 1
    assert Event.objects.filter(type="payment.received").count() == 1
    again = client.post(
        "/refunds",
        {"external_id": "ref-1", "order_external_id": "1001", "amount_cents": 990,
         "reason": "Cap too small", "refunded_at": "2026-11-12T10:00:00Z"},
    )  # fmt: skip
    assert again.status_code == 200
    assert Event.objects.filter(type="refund.issued").count() == 1


def test_it_refuses_a_refund_of_another_shops_order(api, shop_a, shop_b):
    api(shop_a.shop).post("/orders", order_payload())
    response = api(shop_b.shop).post(
        "/refunds",
        {"external_id": "ref-1", "order_external_id": "1001", "amount_cents": 990,
         "refunded_at": "2026-11-12T10:00:00Z"},
    )  # fmt: skip
    assert response.status_code == 404
    assert response.json()["errors"] == [
        {"pointer": "/order_external_id", "detail": "no order with this external id"}
    ]
    assert Refund.objects.count() == 0
