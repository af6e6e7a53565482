"""Property: whatever a sender puts in a payload, the ingest services either store it or refuse
it with ``InvalidPayload`` naming fields; never another exception (which the API would answer
with a 500, the CSV import with a traceback).

Payloads are the documented samples with fields replaced by generated JSON values (numbers at
and past every bound, text of any characters, wrong types, nested objects) or removed. The
number of examples is bounded so that the module runs in seconds.
"""

from __future__ import annotations

import copy
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersale.api.inbound.shopify import order_from_shopify, refund_from_shopify
from aftersale.api.inbound.woocommerce import order_from_woocommerce, refunds_from_woocommerce
from aftersale.catalog.services import upsert_products
from aftersale.delivery.services import record_tracking_events, upsert_shipments
from aftersale.orders.csv_import import ImportFailed, import_orders_csv
from aftersale.orders.ingest import MAX_CENTS, InvalidPayload
from aftersale.orders.services import (
    upsert_customers,
    upsert_order,
    upsert_orders,
    upsert_payments,
    upsert_refunds,
)
from tests.api.samples import GOOD_CSV, order_payload
from tests.api.test_inbound_webhooks import SHOPIFY_ORDER, SHOPIFY_REFUND, WOO_ORDER

BOUNDED = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
EDGES = [0, -1, 1, MAX_CENTS, MAX_CENTS + 1, -MAX_CENTS, 2**31, 2**63, -(2**63) - 1, 10**30]
scalars = (
    st.none()
    | st.booleans()
    | st.sampled_from(EDGES)
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["", " ", "\x00", "\ud800", "1e400", "NaN", "-0", "2026-11-02T10:00:00Z",
                       "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "1793000000"])
)  # fmt: skip
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)


def _paths(value, prefix=()):
    """Every place in ``value`` a generated value can go."""
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*prefix, index))


@st.composite
def mutated(draw, sample):
    """``sample`` with a few of its values replaced by generated ones, or removed."""
    value = copy.deepcopy(sample)
    places = [path for path in _paths(sample) if path]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(places))
        target = value
        try:
            for part in path[:-1]:
                target = target[part]
            if draw(st.booleans()) and isinstance(target, dict):
                target.pop(path[-1], None)
            else:
                target[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change replaced the container
    return value


def refused_only_by_field(store) -> None:
    try:
        store()
    except InvalidPayload as refused:
        assert refused.errors, "InvalidPayload without a field"


SHIPMENT = {
    "external_id": "s1",
    "order_external_id": "1001",
    "carrier": "posti",
    "tracking_number": "JJFI1",
    "expected_delivery": "2026-11-05",
    "shipped_at": "2026-11-03T10:00:00+02:00",
    "pickup_point": {"carrier": "posti", "code": "001234", "name": "K-Market"},
    "events": [{"carrier_code": "22", "status": "in_transit",
                "occurred_at": "2026-11-03T12:00:00Z"}],
}  # fmt: skip
PRODUCT = {
    "external_id": "p1",
    "name": "Cap",
    "final_sale": False,
    "category": {"external_id": "c1", "name": "Hats"},
    "variants": [{"external_id": "v1", "sku": "CAP", "price_cents": 990, "stock": 3}],
    "accessories": [],
}
PAYMENT = {"external_id": "pay1", "order_external_id": "1001", "amount_cents": 4960,
           "paid_at": "2026-11-02T10:00:00Z"}  # fmt: skip
REFUND = {"external_id": "r1", "order_external_id": "1001", "amount_cents": 990,
          "refunded_at": "2026-11-05T10:00:00Z"}  # fmt: skip


@BOUNDED
@given(payload=mutated(order_payload()))
def test_an_order_is_stored_or_refused_by_field(shop_a, payload):
    refused_only_by_field(lambda: upsert_orders(shop_a.shop, [payload]))


@BOUNDED
@given(payload=mutated(order_payload()["customer"]))
def test_a_customer_is_stored_or_refused_by_field(shop_a, payload):
    refused_only_by_field(lambda: upsert_customers(shop_a.shop, [payload]))


@BOUNDED
@given(payment=mutated(PAYMENT), refund=mutated(REFUND))
def test_payments_and_refunds_are_stored_or_refused_by_field(shop_a, payment, refund):
    upsert_orders(shop_a.shop, [order_payload()])
    refused_only_by_field(lambda: upsert_payments(shop_a.shop, [payment]))
    refused_only_by_field(lambda: upsert_refunds(shop_a.shop, [refund]))


@BOUNDED
@given(shipment=mutated(SHIPMENT), event=mutated(SHIPMENT["events"][0]))
def test_shipments_and_tracking_events_are_stored_or_refused_by_field(shop_a, shipment, event):
    upsert_orders(shop_a.shop, [order_payload()])
    refused_only_by_field(lambda: upsert_shipments(shop_a.shop, [shipment]))
    event = {**event, "shipment_external_id": "s1"} if isinstance(event, dict) else event
    refused_only_by_field(lambda: record_tracking_events(shop_a.shop, [event]))


@BOUNDED
@given(payload=mutated(PRODUCT))
def test_a_product_is_stored_or_refused_by_field(shop_a, payload):
    refused_only_by_field(lambda: upsert_products(shop_a.shop, [payload]))


@BOUNDED
@given(order=mutated(SHOPIFY_ORDER), refund=mutated(SHOPIFY_REFUND))
def test_a_shopify_webhook_is_stored_or_refused_by_field(shop_a, order, refund):
    refused_only_by_field(lambda: upsert_order(shop_a.shop, order_from_shopify(order)))
    refused_only_by_field(lambda: upsert_refunds(shop_a.shop, [refund_from_shopify(refund)]))


@BOUNDED
@given(order=mutated(WOO_ORDER))
def test_a_woocommerce_webhook_is_stored_or_refused_by_field(shop_a, order):
    def store():
        upsert_order(shop_a.shop, order_from_woocommerce(order))
        upsert_refunds(shop_a.shop, refunds_from_woocommerce(order))

    refused_only_by_field(store)


cells = st.text(max_size=12) | st.sampled_from(  # fmt: skip
    [
        "",
        "1e9",
        "19,90",
        "1 990",
        str(MAX_CENTS),
        str(2**63),
        "-1",
        "2.11.2026 10.00",
        '"',
        "\r",
        "9" * 5000,
        "31.2.2026 25.61",
        "0.0.0000",
    ]
)


@BOUNDED
@given(
    rows=st.lists(st.lists(cells, min_size=14, max_size=14), min_size=1, max_size=3),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]),
)
def test_a_csv_file_is_imported_or_refused_by_line(shop_a, rows, encoding):
    text = GOOD_CSV + "".join(",".join(row) + "\n" for row in rows)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    try:
        import_orders_csv(shop_a.shop, io.BytesIO(data))
    except ImportFailed as refused:
        assert refused.problems
