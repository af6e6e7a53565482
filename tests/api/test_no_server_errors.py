"""Inputs inside the documented bounds never make a 500: each case found by fuzzing or
tampering is a clear error naming the field (the API, the webhooks, the CSV import and its
command)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from aftersale.orders.csv_import import ImportFailed, import_orders_csv
from aftersale.orders.ingest import MAX_CENTS, MAX_UNIT_CENTS
from aftersale.orders.models import Order
from tests.api.samples import CSV_HEADER, order_payload
from tests.api.test_inbound_webhooks import SHOPIFY_ORDER, shopify

# Before: each inside its documented bound, together above any amount a database can hold.
HUGE_LINE = {"external_id": "big", "name": "Gold", "quantity": 1_000_000,
             "unit_price_cents": MAX_CENTS}  # fmt: skip


def test_a_line_that_could_overflow_the_database_names_its_unit_price(api, shop_a):
    response = api(shop_a.shop).post("/orders", order_payload(lines=[HUGE_LINE]))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["pointer"] == "/lines/0/unit_price_cents"
    assert str(MAX_UNIT_CENTS) in error["detail"]
    assert not Order.objects.exists()


def test_the_largest_order_the_bounds_allow_is_stored(api, shop_a):
    lines = [
        {"external_id": str(n), "name": "Gold", "quantity": 1_000_000,
         "unit_price_cents": MAX_UNIT_CENTS}
        for n in range(500)
    ]  # fmt: skip
    payload = order_payload(lines=lines, shipping_cents=MAX_CENTS)
    response = api(shop_a.shop).post("/orders/batch", {"items": [payload]})
    assert response.status_code == 200
    order = Order.objects.for_shop(shop_a.shop).get()
    assert order.subtotal_cents == 500 * 1_000_000 * MAX_UNIT_CENTS
    assert order.total_cents == order.subtotal_cents + MAX_CENTS
    read = api(shop_a.shop).get("/orders/1001").json()
    assert read["total_cents"] == order.total_cents


def test_an_order_total_above_the_largest_amount_is_computed_and_stored(api, shop_a):
    payload = order_payload(subtotal_cents=MAX_CENTS, shipping_cents=MAX_CENTS)
    assert api(shop_a.shop).post("/orders", payload).status_code == 201
    assert Order.objects.for_shop(shop_a.shop).get().total_cents == 2 * MAX_CENTS


def test_a_shopify_order_beyond_the_largest_amount_is_refused_clearly(client, shop_a):
    line = {"id": 1, "name": "Gold", "quantity": 1_000_000, "price": str(MAX_CENTS // 100)}
    body = {**SHOPIFY_ORDER, "line_items": [line]}
    response = shopify(client, shop_a.shop, "orders/create", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/lines/0/unit_price_cents"


def test_shopify_shipping_lines_that_sum_beyond_the_largest_amount_are_named(client, shop_a):
    price = str(MAX_CENTS // 100)
    body = {**SHOPIFY_ORDER, "shipping_lines": [{"price": price}, {"price": price}]}
    response = shopify(client, shop_a.shop, "orders/create", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/shipping_lines"


HUGE_CSV = CSV_HEADER + (
    f"A1,1001,2026-11-02T10:00:00,C1,aino@example.fi,Aino,,,0,L1,GOLD,Gold,1000000,{MAX_CENTS}\n"
)


def test_a_csv_line_beyond_the_largest_amount_names_its_line_and_column(shop_a):
    with pytest.raises(ImportFailed) as failed:
        import_orders_csv(shop_a.shop, io.BytesIO(HUGE_CSV.encode()))
    assert [(p.row, p.column) for p in failed.value.problems] == [(2, "unit_price_cents")]
    assert not Order.objects.exists()


def test_the_csv_upload_beyond_the_largest_amount_shows_the_report(login, shop_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("orders.csv", HUGE_CSV.encode(), content_type="text/csv")
    response = login(shop_a.owner).post("/integrations/import/", {"file": upload})
    assert response.status_code == 200
    assert f"must be at most {MAX_UNIT_CENTS}" in response.content.decode()


def test_the_command_beyond_the_largest_amount_fails_without_a_traceback(shop_a, tmp_path, capsys):
    path = tmp_path / "orders.csv"
    path.write_text(HUGE_CSV)
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_orders", str(path), "--shop", "pohjola", "--no-progress")
    assert "line 2, unit_price_cents: must be at most" in capsys.readouterr().err


def test_the_command_names_a_file_it_cannot_read(shop_a, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_orders", str(tmp_path), "--shop", "pohjola", "--no-progress")


@pytest.mark.parametrize(
    "open_at",
    ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "2026-11-02T10:00:00"],
)
def test_nearest_points_refuse_a_time_out_of_range_or_without_offset(api, shop_a, open_at):
    response = api(shop_a.shop).get(
        "/pickup-points/nearest", {"latitude": 60.17, "longitude": 24.94, "open_at": open_at}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "open_at"


def test_nearest_points_take_an_aware_time(api, shop_a):
    response = api(shop_a.shop).get(
        "/pickup-points/nearest",
        {"latitude": 60.17, "longitude": 24.94, "open_at": "2026-11-02T10:00:00+02:00"},
    )
    assert (response.status_code, json.loads(response.content)) == (200, [])
