"""Inputs inside the documented bounds never make a 500: each case found by fuzzing or
tampering is a clear error naming the field (the API, the webhooks, the CSV import and its
command)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from aftersale.orders.csv_import import ImportFailed, import_orders_csv
from aftersale.orders.ingest import MAX_CENTS
from aftersale.orders.models import Order
from tests.api.samples import CSV_HEADER, order_payload
from tests.api.test_inbound_webhooks import SHOPIFY_ORDER, shopify

# Each inside its documented bound, but together above any amount the database can hold.
HUGE_LINE = {"external_id": "big", "name": "Gold", "quantity": 1_000_000,
             "unit_price_cents": MAX_CENTS}  # fmt: skip


def test_a_line_total_beyond_the_largest_amount_names_the_line(api, shop_a):
    response = api(shop_a.shop).post("/orders", order_payload(lines=[HUGE_LINE]))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert errors[0]["pointer"] == "/lines/0/total_cents"
    assert "send total_cents" in errors[0]["detail"]
    assert not Order.objects.exists()


def test_a_sum_of_lines_beyond_the_largest_amount_names_the_order_field(api, shop_a):
    lines = [
        {"external_id": str(n), "name": "Gold", "unit_price_cents": MAX_CENTS} for n in range(3)
    ]
    response = api(shop_a.shop).post("/orders/batch", {"items": [order_payload(lines=lines)]})
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["/items/0/subtotal_cents"]


def test_a_total_beyond_the_largest_amount_names_the_field(api, shop_a):
    payload = order_payload(subtotal_cents=MAX_CENTS, shipping_cents=MAX_CENTS)
    response = api(shop_a.shop).post("/orders", payload)
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["/total_cents"]


def test_a_shopify_order_beyond_the_largest_amount_is_refused_clearly(client, shop_a):
    line = {"id": 1, "name": "Gold", "quantity": 1_000_000, "price": str(MAX_CENTS // 100)}
    body = {**SHOPIFY_ORDER, "line_items": [line]}
    response = shopify(client, shop_a.shop, "orders/create", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/lines/0/total_cents"


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
    assert [(p.row, p.column) for p in failed.value.problems] == [(2, "line_total_cents")]
    assert not Order.objects.exists()


def test_the_csv_upload_beyond_the_largest_amount_shows_the_report(login, shop_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("orders.csv", HUGE_CSV.encode(), content_type="text/csv")
    response = login(shop_a.owner).post("/integrations/import/", {"file": upload})
    assert response.status_code == 200
    assert "line_total_cents" in response.content.decode()


def test_the_command_beyond_the_largest_amount_fails_without_a_traceback(shop_a, tmp_path, capsys):
    path = tmp_path / "orders.csv"
    path.write_text(HUGE_CSV)
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_orders", str(path), "--shop", "pohjola", "--no-progress")
    assert "line 2, line_total_cents" in capsys.readouterr().err


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
