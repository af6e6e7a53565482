"""Unclaimed report benchmark: the back-office report over a year of parcels, beside a
primary-key lookup and beside counting the year's parcels directly.

It times, for one shop and the report's year: the direct count (one aggregate pass over the
year's parcels, what the report ran on every view before it stored its days); the report's
first view (it counts and stores every past day); the report once the days are stored; the
report right after one parcel changed status (its day is counted again); and the flagged
customers ("customers who keep leaving parcels"). Beside them, in the same run, the baseline:
one parcel by primary key. It prints the median time and the ratio to the baseline.

Everything runs in one transaction that is rolled back, so an existing database is left as
it was (the stored days included).

- ``run.py [--parcels N]`` makes a fresh database (SQLite in a temporary directory, or an empty
  PostgreSQL database given as BENCH_DATABASE_URL) with N parcels over two years;
- ``run.py --shop SLUG`` measures an existing database (DATABASE_URL), e.g. the scale demo
  loaded with ``aftersale demo --scale 10``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--parcels", type=int, default=100_000)
parser.add_argument("--shop", help="measure this shop of the existing DATABASE_URL")
parser.add_argument("--repeat", type=int, default=7)
args = parser.parse_args()

if not args.shop:
    TMP = tempfile.mkdtemp(prefix="aftersale-bench-unclaimed-")
    os.environ.update(
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3"),
        AFTERSALE_VAR=TMP,
    )
os.environ.update(DJANGO_SETTINGS_MODULE="aftersale.settings", LOG_LEVEL="WARNING")

import django  # noqa: E402

django.setup()

from zoneinfo import ZoneInfo  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from aftersale.core.bulk import insert_rows  # noqa: E402
from aftersale.core.models import Shop  # noqa: E402
from aftersale.core.services import create_shop  # noqa: E402
from aftersale.delivery.models import Shipment, ShipmentStatus  # noqa: E402
from aftersale.delivery.selectors import (  # noqa: E402
    count_days,
    flagged_customers,
    unclaimed_report,
)
from aftersale.orders.models import Customer, Order  # noqa: E402

STATUSES = (
    [ShipmentStatus.PICKED_UP] * 12
    + [ShipmentStatus.DELIVERED] * 6
    + [
        ShipmentStatus.RETURNED_TO_SENDER,
        ShipmentStatus.IN_TRANSIT,
    ]
)


def load(count: int) -> Shop:
    """A shop with ``count`` parcels sent over two years, one order each, 10 per customer."""
    call_command("migrate", verbosity=0)
    shop = create_shop(name="Bench", slug="bench")
    rng = random.Random(12)
    now = timezone.now()
    stamps = {"created_at": now, "updated_at": now}
    customers = insert_rows(
        Customer,
        [{"shop_id": shop.pk, "external_id": f"c{n}", **stamps} for n in range(count // 10 + 1)],
    )
    for start in range(0, count, 20_000):
        numbers = range(start, min(count, start + 20_000))
        sent = {n: now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60)) for n in numbers}
        orders = insert_rows(
            Order,
            [
                {
                    "shop_id": shop.pk,
                    "customer_id": customers[n // 10],
                    "external_id": f"o{n}",
                    "number": str(100_000 + n),
                    "placed_at": sent[n],
                    "delivery_method": rng.choice(["pickup_point", "parcel_locker", "home"]),
                    **stamps,
                }
                for n in numbers
            ],
        )
        rows = []
        for order_id, n in zip(orders, numbers, strict=True):
            status = rng.choice(STATUSES)
            rows.append(
                {
                    "shop_id": shop.pk,
                    "order_id": order_id,
                    "external_id": f"s{n}",
                    "carrier": rng.choice(["posti", "matkahuolto", "db_schenker"]),
                    "status": status,
                    "shipped_at": sent[n],
                    "returned_at": (
                        sent[n] + timedelta(days=16)
                        if status == ShipmentStatus.RETURNED_TO_SENDER
                        else None
                    ),
                    "tracking_token": f"bench{n}",
                    **stamps,
                }
            )
        insert_rows(Shipment, rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return shop


def median_ms(action, repeat: int | None = None) -> float:
    times = []
    for _ in range(repeat or args.repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


class RolledBack(Exception):
    pass


def main() -> None:
    shop = Shop.objects.get(slug=args.shop) if args.shop else load(args.parcels)
    zone = ZoneInfo(shop.time_zone)
    now = timezone.now()
    since = now - timedelta(days=365)
    today = timezone.localtime(now, zone).date()
    parcels = Shipment.objects.for_shop(shop)
    sample = parcels.order_by("id").values_list("id", flat=True).first()
    print(
        f"{connection.vendor}: {parcels.count():,} parcels, "
        f"{Order.objects.for_shop(shop).count():,} orders; median of {args.repeat}"
    )

    def report():
        return unclaimed_report(shop, since=since, top=15)

    def line(label: str, ms: float, note: str = "") -> None:
        print(f"{label:<44} {ms:9.2f} ms  ratio {ms / baseline:8.1f}×  {note}")

    try:
        with transaction.atomic():
            baseline = median_ms(lambda: parcels.get(pk=sample))
            print(f"{'baseline: one parcel by primary key':<44} {baseline:9.2f} ms")
            direct = median_ms(lambda: count_days(shop, zone, since.date(), today), 3)
            line("direct count of the year's parcels", direct)
            line("report, first view (stores the days)", median_ms(report, 1))
            with connection.cursor() as cursor:  # what autovacuum does to the new rows
                for table in ("unclaimedday", "unclaimedcount", "unclaimedbycustomer"):
                    cursor.execute(f"ANALYZE delivery_{table}")
            line("report, days stored", median_ms(report))
            changed = list(
                parcels.filter(shipped_at__lt=now - timedelta(days=30), shipped_at__gt=since)
                .order_by("id")
                .values_list("id", flat=True)[: args.repeat]
            )

            def one_parcel_changed():
                parcels.filter(pk=changed.pop()).update(
                    status=ShipmentStatus.RETURNED_TO_SENDER, updated_at=timezone.now()
                )
                report()

            line("report after one parcel changed status", median_ms(one_parcel_changed))
            flagged = flagged_customers(shop, now)
            line(
                "customers who keep leaving parcels",
                median_ms(lambda: flagged_customers(shop, now)),
                f"({len(flagged):,} flagged)",
            )
            print(f"of {Customer.objects.for_shop(shop).count():,} customers")
            raise RolledBack
    except RolledBack:
        pass


main()
