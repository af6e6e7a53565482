"""Loyalty ledger benchmark on PostgreSQL: a member's balance, and the nightly vesting of
100,000 orders, each beside a plain SUM over the ledger in the same run.

It builds, in its own database (``aftersale_loyalty_bench`` unless ``--database-url`` names
another; a database of that name made by an earlier run is dropped and created afresh, any
other is left alone and the run stops), one shop with
``--customers`` members and ``--entries`` ledger entries generated with ``generate_series``
(earn + vest pairs, redemptions, adjustments, spread over two years), the members' reconciled
balances, and ``--orders`` delivered orders whose points are due to vest. Then it times:

- **balance**: ``loyalty.selectors.balance`` for random members (the reconciled row plus the
  member's pending points by vesting day), median of ``--repeat``, beside the plain per-member
  ``SUM(points), SUM(pending_points)`` over the ledger;
- **vesting**: ``loyalty.vesting.vest_due`` over the due orders (every order checked against its
  parcels and open returns, then vested with its own ledger entries and timeline event), beside
  one plain ``SUM ... GROUP BY customer`` over the whole ledger (what recomputing every balance
  from the ledger costs).

It prints each time and the ratios. ``--tiny`` uses a few hundred rows (the test suite runs
it so).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--database-url", default=os.environ.get("BENCH_LOYALTY_DATABASE_URL", ""))
parser.add_argument("--customers", type=int, default=1_000_000)
parser.add_argument("--entries", type=int, default=10_000_000)
parser.add_argument("--orders", type=int, default=100_000)
parser.add_argument("--repeat", type=int, default=201)
parser.add_argument("--tiny", action="store_true", help="a few hundred rows (for the tests)")
parser.add_argument("--drop", action="store_true", help="drop the database at the end")
args = parser.parse_args()
if args.tiny:
    args.customers, args.entries, args.orders, args.repeat = 200, 2_000, 100, 11

url = args.database_url or "postgres://postgres@127.0.0.1:5432/aftersale_loyalty_bench"
if not url.startswith("postgres"):
    sys.exit("bench/loyalty needs PostgreSQL (COPY-speed generate_series): give --database-url")
os.environ.update(
    DATABASE_URL=url,
    DJANGO_SETTINGS_MODULE="aftersale.settings",
    LOG_LEVEL="WARNING",
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-loyalty"),
)


MARKER = "made by bench/loyalty/run.py"


def admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path.lstrip("/"), urlunsplit(parts._replace(path="/postgres"))


def fresh_database(url: str) -> None:
    """Create the benchmark's database, or drop and re-create it if an earlier run of this
    benchmark made it (it carries a comment saying so). Any other database of that name is
    left alone: the run stops instead."""
    import psycopg

    name, admin = admin_url(url)
    if not name.replace("_", "").isalnum():
        sys.exit(f"not a plain database name: {name!r}")
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        if row is not None:
            if row[0] != MARKER:
                sys.exit(f"the database {name!r} exists and was not made by this benchmark")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{MARKER}'")


def drop_database(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    name, admin = admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


fresh_database(url)

import django  # noqa: E402

django.setup()

from datetime import UTC, datetime, timedelta  # noqa: E402
from io import StringIO  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from aftersale.core.models import Shop  # noqa: E402
from aftersale.loyalty import selectors, services, vesting  # noqa: E402
from aftersale.loyalty.models import CustomerPoints, LedgerEntry  # noqa: E402
from aftersale.orders.models import Customer  # noqa: E402

SLUG = "loyalty-bench"


def timed(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def sql(statement: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def load(customers: int, entries: int, orders: int) -> Shop:
    """A shop with generated members, ledger and due orders, in the fresh database."""
    shop = Shop.objects.create(name="Loyalty bench", slug=SLUG)
    services.save_programme(shop, enabled=True, starts_at=datetime(2020, 1, 1, tzinfo=UTC))
    rule = services.save_rule(shop, points_per_euro=1)
    now = timezone.now()
    s, r = shop.pk, rule.pk
    sql(
        """INSERT INTO orders_customer (created_at, updated_at, shop_id, external_id, email,
        phone, first_name, last_name, language, street, postcode, city, country,
        marketing_consent, consent_source, consent_wording_version)
        SELECT %s, %s, %s, 'c' || g, 'c' || g || '@example.fi', '', 'Aino', 'V' || g, 'fi',
        '', '', '', 'FI', false, '', '' FROM generate_series(1, %s) g""",
        [now, now, s, customers],
    )
    first = Customer.objects.for_shop(shop).order_by("pk").values_list("pk", flat=True)[0]
    # Pairs of earn (vested) + vest; every tenth pair instead a redemption and an adjustment.
    pairs = entries // 2
    sql(
        """INSERT INTO loyalty_ledgerentry (shop_id, customer_id, kind, points, pending_points,
        state, vests_on, source_type, source_id, amount_cents, rule_id, natural_key, reason,
        created_at)
        SELECT %(s)s, %(first)s + (g %% %(n)s), v.kind, v.points, v.pending, v.state,
               NULL, v.source, g, v.amount, %(r)s, v.kind || ':' || g, v.reason,
               %(now)s - ((g %% 730) || ' days')::interval
        FROM generate_series(1, %(pairs)s) g
        CROSS JOIN LATERAL (VALUES
            (CASE WHEN g %% 10 = 0 THEN 'redeem' ELSE 'earn' END,
             CASE WHEN g %% 10 = 0 THEN -5 ELSE 0 END,
             CASE WHEN g %% 10 = 0 THEN 0 ELSE 40 END,
             CASE WHEN g %% 10 = 0 THEN '' ELSE 'vested' END,
             CASE WHEN g %% 10 = 0 THEN 'reward' ELSE 'order_line' END,
             CASE WHEN g %% 10 = 0 THEN 0 ELSE 4000 END, ''),
            (CASE WHEN g %% 10 = 0 THEN 'adjust' ELSE 'vest' END,
             CASE WHEN g %% 10 = 0 THEN 3 ELSE 40 END,
             CASE WHEN g %% 10 = 0 THEN 0 ELSE -40 END,
             '', CASE WHEN g %% 10 = 0 THEN 'staff' ELSE 'order_line' END,
             CASE WHEN g %% 10 = 0 THEN 0 ELSE 4000 END,
             CASE WHEN g %% 10 = 0 THEN 'bench' ELSE '' END)
        ) AS v(kind, points, pending, state, source, amount, reason)""",
        {"s": s, "first": first, "n": customers, "r": r, "now": now, "pairs": pairs},
    )
    # The orders due to vest: delivered 20 days ago, one pending line each.
    delivered = now - timedelta(days=20)
    sql(
        """INSERT INTO orders_order (created_at, updated_at, shop_id, external_id, number,
        customer_id, placed_at, status, currency, subtotal_cents, shipping_cents,
        discount_cents, total_cents, vat_cents, payment_method, delivery_method, carrier,
        ship_name, ship_street, ship_postcode, ship_city, ship_country, ship_phone,
        marketing_consent, address_check)
        SELECT %(now)s, %(now)s, %(s)s, 'o' || g, 'o' || g, %(first)s + (g %% %(n)s),
        %(placed)s, 'fulfilled', 'EUR', 5000, 0, 0, 5000, 1000, 'card', 'pickup_point',
        'posti', '', '', '', '', 'FI', '', false, '{}'::jsonb
        FROM generate_series(1, %(orders)s) g""",
        {"now": now, "s": s, "first": first, "n": customers, "orders": orders,
         "placed": delivered - timedelta(days=2)},
    )  # fmt: skip
    sql(
        """INSERT INTO delivery_shipment (created_at, updated_at, shop_id, order_id,
        external_id, carrier, tracking_number, status, shipped_at, received_at,
        tracking_token)
        SELECT %(now)s, %(now)s, %(s)s, o.id, 's' || o.id, 'posti', '', 'picked_up',
        %(shipped)s, %(delivered)s, md5(random()::text || o.id)
        FROM orders_order o WHERE o.shop_id = %(s)s""",
        {"now": now, "s": s, "shipped": delivered - timedelta(days=1), "delivered": delivered},
    )
    sql(
        """INSERT INTO loyalty_ledgerentry (shop_id, customer_id, kind, points, pending_points,
        state, vests_on, source_type, source_id, order_id, amount_cents, rule_id, natural_key,
        reason, created_at)
        SELECT %(s)s, o.customer_id, 'earn', 0, 40, 'pending', %(due)s, 'order_line', o.id,
        o.id, 4000, %(r)s, 'earn:order:' || o.id, '', o.placed_at
        FROM orders_order o WHERE o.shop_id = %(s)s""",
        {"s": s, "r": r, "due": (now - timedelta(days=3)).date()},
    )
    sql(
        """INSERT INTO loyalty_customerpoints (created_at, updated_at, shop_id, customer_id,
        available, pending, joined_at)
        SELECT %(now)s, %(now)s, %(s)s, customer_id, sum(points), sum(pending_points), %(now)s
        FROM loyalty_ledgerentry WHERE shop_id = %(s)s GROUP BY customer_id""",
        {"now": now, "s": s},
    )
    sql(
        """INSERT INTO loyalty_liabilityslot (shop_id, slot, members, available, pending)
        SELECT %(s)s, 0, count(*), sum(available), sum(pending)
        FROM loyalty_customerpoints WHERE shop_id = %(s)s""",
        {"s": s},
    )
    sql("ANALYZE")
    return shop


def main() -> None:
    call_command("migrate", verbosity=0, stdout=StringIO())
    started = time.perf_counter()
    shop = load(args.customers, args.entries, args.orders)
    entries = LedgerEntry.objects.for_shop(shop).count()
    print(
        f"loaded {args.customers:,} customers, {entries:,} ledger entries and "
        f"{args.orders:,} due orders in {time.perf_counter() - started:.0f} s"
    )
    members = list(
        CustomerPoints.objects.for_shop(shop).values_list("customer_id", flat=True)[:100_000]
    )
    rng = random.Random(7)
    picks = [Customer(pk=rng.choice(members), shop=shop) for _ in range(args.repeat)]
    lookups = [timed(lambda c=c: selectors.balance(shop, c)) for c in picks]
    sums = [timed(lambda c=c: selectors.ledger_sums(shop, c)) for c in picks]
    balance_ms = statistics.median(lookups) * 1000
    plain_ms = statistics.median(sums) * 1000
    print(f"balance lookup, median of {args.repeat}: {balance_ms:.2f} ms")
    print(f"plain SUM over one member's ledger rows, median: {plain_ms:.2f} ms")
    print(f"ratio balance lookup / per-member SUM = {balance_ms / plain_ms:.2f}")

    with connection.cursor() as cursor:
        full = timed(
            lambda: (
                cursor.execute(
                    "SELECT customer_id, sum(points), sum(pending_points) FROM loyalty_ledgerentry "
                    "WHERE shop_id = %s GROUP BY customer_id",
                    [shop.pk],
                )
                or cursor.fetchall()
            )
        )
    print(f"plain SUM over the whole ledger, by member: {full:.2f} s")
    vest_seconds = timed(vesting.vest_due)
    vested = LedgerEntry.objects.for_shop(shop).filter(kind="vest", order__isnull=False).count()
    print(
        f"nightly vesting of {args.orders:,} orders: {vest_seconds:.2f} s "
        f"({vested:,} vested, {args.orders / vest_seconds:,.0f} orders/s)"
    )
    print(f"ratio vesting / whole-ledger SUM = {vest_seconds / full:.2f}")


if __name__ == "__main__":
    try:
        main()
    finally:
        if args.drop:
            drop_database(url)
