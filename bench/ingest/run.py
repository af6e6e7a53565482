"""Ingest speed against PostgreSQL's own COPY of the same rows (the physical limit).

Creates its own database with a random name (``aftersale_bench_<random>`` on
BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432) and drops that database, and
only that one, when it ends; in between it measures:

1. orders/s through ``POST /api/v1/orders/batch`` (1,000 orders of 3 lines per request,
   in process through the WSGI app, token auth and JSON included);
2. rows/s through the CSV import (``import_orders_csv``, one row per order line);

and prints each beside COPY FROM of the same rows into the same tables, as a ratio.
Usage: python bench/ingest/run.py [--orders 5000]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

BASE_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
# A name no one else uses: the script drops only the database it created itself.
DB_NAME = f"aftersale_bench_{secrets.token_hex(6)}"
# Every row the ingest stores for these orders, timeline events included.
TABLES = ["orders_customer", "orders_order", "orders_orderline", "timeline_event"]


def create_database() -> None:
    """Create ``DB_NAME``; CREATE DATABASE fails rather than reuse one that exists."""
    import psycopg

    with psycopg.connect(BASE_URL + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def drop_database() -> None:
    """Drop the database ``create_database`` made in this run (its random name), nothing else."""
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(BASE_URL + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{BASE_URL}/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersale.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # a throw-away database
    os.environ["API_RATE_LIMIT_PER_MINUTE"] = "1000000"
    os.environ["MAX_REQUEST_BYTES"] = str(50 * 1024 * 1024)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def order_payloads(count: int, prefix: str) -> list[dict]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        {
            "external_id": f"{prefix}{n}",
            "number": str(100000 + n),
            "placed_at": (start + timedelta(minutes=n)).isoformat(),
            "shipping_cents": 590,
            "carrier": "posti",
            "pickup_point": {"carrier": "posti", "code": f"{n % 300:06d}"},
            "shipping_address": {"name": "Aino Virtanen", "street": "Mannerheimintie 1 A 5",
                                 "postcode": "00100", "city": "Helsinki"},
            "customer": {"external_id": f"c{n % (count // 2 + 1)}",
                         "email": f"customer{n % (count // 2 + 1)}@example.fi",
                         "first_name": "Aino", "last_name": "Virtanen"},
            "lines": [
                {"external_id": f"{n}-{k}", "sku": f"SKU-{(n + k) % 500}", "name": "T-shirt",
                 "quantity": 1 + k, "unit_price_cents": 1990, "vat_cents": 404}
                for k in range(3)
            ],
        }
        for n in range(count)
    ]  # fmt: skip


def csv_text(payloads: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["order_id", "order_number", "placed_at", "customer_id", "email", "first_name",
         "last_name", "carrier", "pickup_point_code", "shipping_cents", "ship_name",
         "ship_street", "ship_postcode", "ship_city", "line_id", "sku", "product_name",
         "quantity", "unit_price_cents", "line_vat_cents"]
    )  # fmt: skip
    for p in payloads:
        c, a = p["customer"], p["shipping_address"]
        for line in p["lines"]:
            writer.writerow(
                [p["external_id"], p["number"], p["placed_at"], c["external_id"], c["email"],
                 c["first_name"], c["last_name"], p["carrier"], p["pickup_point"]["code"],
                 p["shipping_cents"], a["name"], a["street"], a["postcode"], a["city"],
                 line["external_id"], line["sku"], line["name"], line["quantity"],
                 line["unit_price_cents"], line["vat_cents"]]
            )  # fmt: skip
    return out.getvalue()


def copy_same_rows(shop_id: int) -> float:
    """Seconds for COPY FROM of the rows the ingest stored (customers, orders, lines, events)."""
    from django.db import connection

    dumps = {}
    with connection.cursor() as cursor:
        raw = cursor.connection
        for table in TABLES:
            buffer = io.BytesIO()
            with raw.cursor().copy(
                f"COPY (SELECT * FROM {table} WHERE shop_id = {shop_id}) TO STDOUT"
            ) as copy:
                for chunk in copy:
                    buffer.write(chunk)
            dumps[table] = buffer.getvalue()
        raw.commit()
        for table in reversed(TABLES):
            raw.execute(f"DELETE FROM {table} WHERE shop_id = {shop_id}")
        raw.commit()
        started = time.perf_counter()
        for table in TABLES:
            with raw.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(dumps[table])
        raw.commit()
        return time.perf_counter() - started


def copy_csv_rows(text: str) -> float:
    """Seconds for COPY FROM of the CSV file itself into a table of its columns."""
    from django.db import connection

    columns = text.split("\n", 1)[0].split(",")
    with connection.cursor() as cursor:
        raw = cursor.connection
        raw.execute("DROP TABLE IF EXISTS bench_csv_rows")
        raw.execute("CREATE TABLE bench_csv_rows (" + ", ".join(f"{c} text" for c in columns) + ")")
        raw.commit()
        started = time.perf_counter()
        with raw.cursor().copy("COPY bench_csv_rows FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
            copy.write(text.encode())
        raw.commit()
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=5000)
    args = parser.parse_args()
    create_database()
    try:
        return measure(args.orders)
    finally:
        drop_database()


def measure(count: int) -> int:
    setup_django()
    from django.test import Client

    from aftersale.core.services import create_api_token, create_shop
    from aftersale.orders.csv_import import import_orders_csv

    print(f"PostgreSQL database {DB_NAME}: {count:,} orders of 3 lines each")

    # 1. Batch API
    shop = create_shop(name="Bench API", slug="bench-api")
    _token, plain = create_api_token(shop, name="bench")
    client = Client()
    payloads = order_payloads(count, "api-")
    bodies = [json.dumps({"items": payloads[i : i + 1000]}) for i in range(0, len(payloads), 1000)]

    def post(body: str, token: str = plain) -> None:
        response = client.post(
            "/api/v1/orders/batch",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 200, response.content[:500]

    # A running server has built its API schemas and opened its connection before the first
    # batch arrives: a small batch for another shop warms it up, outside the timing.
    _token, warm_up = create_api_token(create_shop(name="Warm-up", slug="warm-up"), name="bench")
    post(json.dumps({"items": order_payloads(2, "warm-up-")}), warm_up)
    started = time.perf_counter()
    for body in bodies:
        post(body)
    api_seconds = time.perf_counter() - started
    api_copy = copy_same_rows(shop.pk)
    api_rate, copy_rate = count / api_seconds, count / api_copy
    print(
        f"batch API     {api_rate:10,.0f} orders/s   COPY of the same rows {copy_rate:10,.0f}"
        f" orders/s   ratio {api_rate / copy_rate:6.1%}   (target: >= 1,000 orders/s)"
    )

    # 2. CSV import
    shop = create_shop(name="Bench CSV", slug="bench-csv")
    text = csv_text(order_payloads(count, "csv-"))
    rows = count * 3
    started = time.perf_counter()
    import_orders_csv(shop, io.BytesIO(text.encode()))
    csv_seconds = time.perf_counter() - started
    csv_copy = copy_same_rows(shop.pk)
    file_copy = copy_csv_rows(text)
    csv_rate = rows / csv_seconds
    print(
        f"CSV import    {csv_rate:10,.0f} rows/s     COPY of the same rows {rows / csv_copy:10,.0f}"
        f" rows/s     ratio {csv_rate / (rows / csv_copy):6.1%}   (target: >= 25 %)"
    )
    print(
        f"              {'':10} {'':10} COPY of the CSV file  {rows / file_copy:10,.0f}"
        f" rows/s     ratio {csv_rate / (rows / file_copy):6.1%}   (raw text, no tables' indexes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
