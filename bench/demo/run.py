"""Benchmark: the demo writer's direct inserts against Django's ``bulk_create``.

Both write the same timeline events of a simulated shop (the biggest table of a demo load) into
a throw-away SQLite database; the ratio is what justifies the writer's direct inserts.

    python bench/demo/run.py [customers]     (default 2,000)

``BENCH_DATABASE_URL`` names another empty database to write into.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime


def main() -> None:
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    home = tempfile.mkdtemp(prefix="aftersale-bench-demo-")
    os.environ["AFTERSALE_VAR"] = home
    if os.environ.get("BENCH_DATABASE_URL"):  # an empty (or freshly migrated) database
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersale.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # a throw-away database
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from aftersale.demo.simulation import SHOPS, DemoParameters, simulate
    from aftersale.demo.writer import RowWriter, ShopWrite, create_demo_shop
    from aftersale.timeline.models import Event

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    data = simulate(DemoParameters(end_date=date(2026, 6, 15), customers=customers))
    print(f"simulated {customers:,} customers in {time.perf_counter() - started:.2f} s")
    writer = RowWriter()
    with transaction.atomic():
        shop = create_demo_shop(SHOPS[0])
        work = ShopWrite(shop, data.shops[0], writer, lambda message: None)
        work.catalogue()
        work.pickup_points()
        work.customers()
        work.orders()
        work.shipments()
        work.returns()
        work.refunds()
        rows = list(work.events)
    print(f"{len(rows):,} timeline events to write")

    def direct() -> None:
        base = writer.next_id(Event)
        writer.insert(
            Event,
            ["id", "shop", "customer", "type", "subject_type", "subject_id", "payload"]
            + ["occurred_at", "created_at"],
            (
                (base + i, shop.pk, cid, kind, subject, sid, payload, at, at)
                for i, (cid, kind, subject, sid, payload, at) in enumerate(rows)
            ),
        )

    def with_bulk_create() -> None:
        import json

        def parse(text: str) -> datetime:
            return datetime.fromisoformat(text).replace(tzinfo=UTC)

        Event.objects.bulk_create(
            (
                Event(
                    shop_id=shop.pk,
                    customer_id=cid,
                    type=kind,
                    subject_type=subject,
                    subject_id=sid,
                    payload=json.loads(payload),
                    occurred_at=parse(at),
                )
                for cid, kind, subject, sid, payload, at in rows
            ),
            batch_size=5000,
        )

    timings = {}
    for name, write in (("direct inserts", direct), ("bulk_create", with_bulk_create)):
        with transaction.atomic():
            started = time.perf_counter()
            write()
            timings[name] = time.perf_counter() - started
            transaction.set_rollback(True)
        print(f"{name:>15}: {timings[name]:.2f} s ({len(rows) / timings[name]:,.0f} rows/s)")
    print(
        f"bulk_create / direct inserts = {timings['bulk_create'] / timings['direct inserts']:.1f}"
    )


if __name__ == "__main__":
    main()
