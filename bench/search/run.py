"""Search benchmark: how long the back-office search takes, beside a primary-key lookup.

For each kind of search staff make (a surname, part of one, a full e-mail, part of one, a
phone number as typed, an order number, Finnish letters, a common word) it runs what the
customer list and the order list run for one page: the order-number lookup, the count (up to
its limit) and the first page of 25. Beside it, in the same run, the baseline: fetching one
customer by primary key. It prints the median time and the ratio to the baseline.

Two ways to run:

- ``run.py [--customers N]`` makes a fresh database (SQLite in a temporary directory, or an
  empty PostgreSQL database given as BENCH_DATABASE_URL), migrates it, loads N customers
  (default 200,000) with about 2.65 orders each, runs ANALYZE and measures;
- ``run.py --shop SLUG`` measures an existing database (DATABASE_URL), e.g. the scale demo
  loaded with ``aftersale demo --scale 10``; it only reads.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--customers", type=int, default=200_000)
parser.add_argument("--shop", help="measure this shop of the existing DATABASE_URL")
parser.add_argument("--repeat", type=int, default=7)
args = parser.parse_args()

if not args.shop:
    TMP = tempfile.mkdtemp(prefix="aftersale-bench-search-")
    os.environ.update(
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3"),
        AFTERSALE_VAR=TMP,
    )
os.environ.update(DJANGO_SETTINGS_MODULE="aftersale.settings", LOG_LEVEL="WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from aftersale.backoffice.pagination import CountLimitedPaginator  # noqa: E402
from aftersale.backoffice.views.customers import CUSTOMER_COUNT_LIMIT  # noqa: E402
from aftersale.core.bulk import insert_rows  # noqa: E402
from aftersale.core.models import Shop  # noqa: E402
from aftersale.core.services import create_shop  # noqa: E402
from aftersale.orders.models import Customer, Order  # noqa: E402
from aftersale.orders.selectors import NAME_ORDER, search_customers, search_orders  # noqa: E402

FIRST = ["Aino", "Eero", "Matti", "Liisa", "Åsa", "Jönssi", "Ella", "Onni", "Helmi", "Väinö"]
LAST = ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
        "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Salo", "Öberg", "Lindqvist"]  # fmt: skip


def load(count: int) -> Shop:
    """A shop with ``count`` customers (unique e-mails and phones) and their orders."""
    call_command("migrate", verbosity=0)
    shop = create_shop(name="Bench", slug="bench")
    rng = random.Random(12)
    now = timezone.now()
    for start in range(0, count, 20_000):
        rows = []
        for n in range(start, min(count, start + 20_000)):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            rows.append(
                {
                    "shop_id": shop.pk,
                    "external_id": f"c{n}",
                    "first_name": first,
                    "last_name": f"{last}{'' if n % 7 else n % 100}",
                    "email": f"{first.lower()}.{last.lower()}{n}@example.fi",
                    "phone": f"+358 4{n % 10} {n // 10000:03d} {n % 10000:04d}",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        ids = insert_rows(Customer, rows)
        orders = [
            {
                "shop_id": shop.pk,
                "customer_id": customer_id,
                "external_id": f"o{customer_id}-{k}",
                "number": str(100_000 + customer_id * 4 + k),
                "placed_at": now - timezone.timedelta(days=rng.randint(0, 730)),
                "created_at": now,
                "updated_at": now,
            }
            for customer_id in ids
            for k in range(rng.choice((1, 2, 3, 4, 3)))
        ]
        insert_rows(Order, orders)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return shop


def median_ms(action) -> tuple[float, object]:
    result = action()  # warm: connection, caches
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def customer_page(shop, query):
    def run():
        customers = search_customers(shop, query)
        paginator = CountLimitedPaginator(customers, 25, CUSTOMER_COUNT_LIMIT, NAME_ORDER)
        list(paginator.get_page(1).object_list)
        return paginator.counted, paginator.count_limit

    return run


def order_page(shop, query):
    def run():
        paginator = CountLimitedPaginator(search_orders(shop, query), 25, 1000)
        list(paginator.get_page(1).object_list)
        return paginator.counted, paginator.count_limit

    return run


def main() -> None:
    shop = Shop.objects.get(slug=args.shop) if args.shop else load(args.customers)
    customers = Customer.objects.for_shop(shop)
    total = customers.count()
    rng = random.Random(3)
    sample = customers.order_by("id")[rng.randrange(total)]
    order = Order.objects.for_shop(shop).filter(customer=sample).first()
    national = "0" + "".join(ch for ch in sample.phone if ch.isdigit())[3:]
    searches = [
        ("surname", sample.last_name),
        ("part of a surname", sample.last_name[:5]),
        ("first name and surname", f"{sample.first_name} {sample.last_name}"),
        ("e-mail", sample.email),
        ("part of an e-mail", sample.email.split("@")[0][-8:]),
        ("phone, national format", f"{national[:3]} {national[3:6]} {national[6:]}"),
        ("order number", f"#{order.number}" if order else "#0"),
        ("Finnish letters", "mäkelä"),
        ("a word in every e-mail", "example"),
    ]
    print(f"{connection.vendor}: {total:,} customers, {Order.objects.for_shop(shop).count():,}"
          f" orders; median of {args.repeat}")  # fmt: skip
    baseline, _ = median_ms(lambda: Customer.objects.for_shop(shop).get(pk=sample.pk))
    print(f"baseline: one customer by primary key  {baseline:8.2f} ms")
    for kind, page in (("customers", customer_page), ("orders", order_page)):
        for label, query in searches:
            ms, (matches, limit) = median_ms(page(shop, query))
            found = f"more than {limit:,}" if matches > limit else f"{matches:,}"
            print(
                f"search {kind:<9} by {label:<24} {ms:8.2f} ms  ratio {ms / baseline:6.1f}×"
                f"  ({found} found)"
            )


main()
