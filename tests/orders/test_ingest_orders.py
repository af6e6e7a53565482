"""The order ingest service, as the API, the webhooks and the CSV import use it."""

from datetime import UTC, datetime

import pytest
import time_machine

from aftersale.orders.ingest import InvalidPayload
from aftersale.orders.models import Order, OrderLine
from aftersale.orders.services import upsert_order, upsert_orders
from aftersale.timeline.models import Event
from tests.api.samples import order_payload
from tests.factories import ReturnLineFactory


def test_a_line_a_return_refers_to_is_kept(shop_a):
    upsert_order(shop_a.shop, order_payload())
    line = OrderLine.objects.get(external_id="1001-1")
    ReturnLineFactory(
        return_request__order=line.order, return_request__shop=shop_a.shop, order_line=line
    )
    upsert_order(shop_a.shop, order_payload(lines=[]))
    assert list(OrderLine.objects.values_list("external_id", flat=True)) == ["1001-1"]


def test_errors_point_into_the_batch(shop_a):
    bad = order_payload("2")
    bad["lines"][0]["unit_price_cents"] = "free"
    with pytest.raises(InvalidPayload) as raised:
        upsert_orders(shop_a.shop, [order_payload("1"), bad])
    assert [e.pointer for e in raised.value.errors] == ["/1/lines/0/unit_price_cents"]


def test_a_replayed_batch_only_reads(shop_a, django_assert_max_num_queries):
    items = [order_payload(str(n)) for n in range(100)]
    upsert_orders(shop_a.shop, items)
    with django_assert_max_num_queries(8):
        results = upsert_orders(shop_a.shop, items)
    assert not any(r.changed for r in results)


def test_the_customer_keeps_what_an_order_leaves_out(shop_a):
    upsert_order(shop_a.shop, order_payload())
    upsert_order(shop_a.shop, order_payload("2", customer={"external_id": "c-1"}))
    from aftersale.orders.models import Customer

    assert Customer.objects.get().email == "aino@example.fi"


def test_an_order_whose_lines_alone_change_is_updated(shop_a):
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=UTC), tick=False):
        upsert_orders(shop_a.shop, [order_payload("1"), order_payload("2")])
    renamed = order_payload("1")
    renamed["lines"][0]["name"] = "T-shirt, organic cotton"
    later = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    with time_machine.travel(later, tick=False):
        first, second = upsert_orders(shop_a.shop, [renamed, order_payload("2")])
    assert (first.changed, second.changed) == (True, False)
    assert OrderLine.objects.get(external_id="1-1").name == "T-shirt, organic cotton"
    stamps = dict(Order.objects.values_list("external_id", "updated_at"))
    assert stamps["1"] == later and stamps["2"] < later
    assert Event.objects.filter(type="order.updated", subject_id=first.id).count() == 1
