"""Bad requests get RFC 9457 problem+json naming each failing field, never a server error."""

import json

import pytest
from django.test import override_settings

from aftersale.core.services import revoke_api_token
from aftersale.orders.models import Order
from tests.api.samples import order_payload


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    return body


def pointers(body):
    return {error.get("pointer", error.get("parameter")) for error in body.get("errors", [])}


def test_it_names_every_failing_field_with_a_json_pointer(api, shop_a):
    payload = order_payload()
    del payload["placed_at"]
    payload["lines"][1]["quantity"] = "many"
    payload["customer"]["email"] = "not-an-address"
    body = problem(api(shop_a.shop).post("/orders", payload), 422)
    assert body["type"] == "urn:aftersale:problem:invalid-fields"
    assert pointers(body) == {"/placed_at", "/lines/1/quantity", "/customer/email"}
    assert Order.objects.count() == 0


def test_it_points_into_the_batch(api, shop_a):
    items = [order_payload("1"), order_payload("2", currency="euro")]
    body = problem(api(shop_a.shop).post("/orders/batch", {"items": items}), 422)
    assert pointers(body) == {"/items/1/currency"}
    assert Order.objects.count() == 0, "nothing of a bad batch is written"


def test_it_refuses_a_repeated_id_within_one_batch(api, shop_a):
    body = problem(
        api(shop_a.shop).post("/orders/batch", {"items": [order_payload(), order_payload()]}), 422
    )
    assert pointers(body) == {"/items/1/external_id"}


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"not json",
        b"\xff\xfe{}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' + b"9" * 10_000 + b"}",
    ],
    ids=["truncated", "text", "bad-utf8", "deep-nesting", "huge-integer-literal"],
)
def test_it_answers_malformed_json_with_400(api, shop_a, raw):
    body = problem(api(shop_a.shop).post("/orders", raw, raw=True), 400)
    assert body["type"] == "urn:aftersale:problem:malformed-json"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"shipping_cents": 10**30}, "/shipping_cents"),
        ({"shipping_cents": 1e308}, "/shipping_cents"),
        ({"shipping_cents": True and "12.5"}, "/shipping_cents"),
        ({"status": "lost-in-space"}, "/status"),
        ({"delivery_method": "teleport"}, "/delivery_method"),
        ({"number": "A\x00B"}, "/number"),
        ({"number": "\ud800"}, "/number"),
        ({"lines": {"deep": [[[[[]]]]]}}, "/lines"),
        ({"customer": "c-1"}, "/customer"),
        ({"placed_at": "yesterday"}, "/placed_at"),
        ({"placed_at": "2026-11-02T10:00:00"}, "/placed_at"),
        ({"external_id": "x" * 101}, "/external_id"),
    ],
)
def test_it_refuses_wrong_values_with_422(api, shop_a, change, where):
    body = problem(api(shop_a.shop).post("/orders", order_payload(**change)), 422)
    assert where in pointers(body)


def test_it_accepts_odd_but_valid_unicode(api, shop_a):
    payload = order_payload()
    payload["customer"]["first_name"] = "Åsa 👩‍👩‍👧 ‮Ö"
    assert api(shop_a.shop).post("/orders", payload).status_code == 201


def test_it_refuses_a_body_that_is_not_an_object(api, shop_a):
    body = problem(api(shop_a.shop).post("/orders", [1, 2, 3]), 422)
    assert body["errors"]


def test_it_needs_a_token(client, shop_a):
    response = client.get("/api/v1/orders")
    problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    problem(client.get("/api/v1/orders", HTTP_AUTHORIZATION="Bearer as_nope"), 401)


def test_it_refuses_a_revoked_token(api, shop_a):
    client = api(shop_a.shop)
    assert client.get("/orders").status_code == 200
    from aftersale.core.models import ApiToken

    revoke_api_token(shop_a.shop, ApiToken.objects.get().pk)
    problem(client.get("/orders"), 401)


def test_it_answers_an_unknown_object_with_404(api, shop_a):
    problem(api(shop_a.shop).get("/orders/nope"), 404)
    problem(api(shop_a.shop).get("/orders/a%00b"), 404)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_it_refuses_a_body_over_the_size_limit_with_413(api, shop_a):
    items = [order_payload(str(n)) for n in range(20)]
    problem(api(shop_a.shop).post("/orders/batch", {"items": items}), 413)


def test_it_refuses_a_batch_of_more_than_1000_objects_with_413(api, shop_a):
    items = [{"external_id": str(n)} for n in range(1001)]
    body = problem(api(shop_a.shop).post("/customers/batch", {"items": items}), 413)
    assert "1000" in body["detail"].replace(",", "").replace("\u00a0", "")


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_it_limits_the_request_rate_per_token_with_429(api, shop_a):
    client = api(shop_a.shop)
    for _ in range(3):
        assert client.get("/orders").status_code == 200
    response = client.get("/orders")
    problem(response, 429)
    assert int(response["Retry-After"]) > 0
    assert api(shop_a.shop).get("/orders").status_code == 200, "other tokens are not limited"


def test_it_refuses_a_bad_cursor_with_400(api, shop_a):
    body = problem(api(shop_a.shop).get("/orders", {"cursor": "garbage"}), 400)
    assert pointers(body) == {"cursor"}


def test_it_names_a_bad_query_parameter(api, shop_a):
    body = problem(api(shop_a.shop).get("/orders", {"limit": "lots"}), 422)
    assert pointers(body) == {"limit"}


def test_problem_json_is_plain_json(api, shop_a):
    response = api(shop_a.shop).post("/orders", {})
    assert json.loads(response.content)["instance"] == "/api/v1/orders"


@pytest.mark.parametrize(
    "when",
    ["0186-02-06T18:43:23-22:18", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"],
)
def test_it_refuses_times_no_database_can_hold(api, shop_a, when):
    body = problem(api(shop_a.shop).post("/orders", order_payload(placed_at=when)), 422)
    assert pointers(body) == {"/placed_at"}
    body = problem(api(shop_a.shop).get("/orders", {"updated_before": when}), 422)
    assert pointers(body) == {"updated_before"}


def test_it_stores_times_in_utc(api, shop_a):
    api(shop_a.shop).post("/orders", order_payload(placed_at="2026-11-02T10:00:00+23:00"))
    assert Order.objects.get().placed_at.isoformat() == "2026-11-01T11:00:00+00:00"
