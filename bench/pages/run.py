"""Every page under load, beside a Django hello-world view in the same gunicorn workers.

Starts the production web setup of docs/operators/deployment.md (``gunicorn aftersale.wsgi``,
3 sync workers, DEBUG off) on a database holding the demo shops, with one extra URL: a
hello-world view that goes through the same settings and middleware. A closed-loop client
(asyncio, one connection per request as gunicorn's sync workers close it) then measures
requests/s and p50/p95/p99 latency at each concurrency for every back-office page, the
customers' portal and tracking pages and the API reads, and prints each page's requests/s as
a ratio to hello-world's. Every loop is bounded by a request count and by time.

Targets (issue 12): staff pages and API reads at >= 0.2x hello-world's requests/s with p99
under 1 s at c=8; portal and tracking pages at >= 0.4x. They are printed, never asserted.

Usage:
    python bench/pages/run.py                       # the scale demo on PostgreSQL
    python bench/pages/run.py --database-url postgres://postgres@127.0.0.1:5432/aftersale_scale_demo
    python bench/pages/run.py --database-url sqlite:////tmp/pages.sqlite3 --customers 40 \\
        --seconds 0.2 --requests 20                 # tiny, as tests/test_benchmarks.py runs it

When the database has no demo shops the script migrates it and loads them first
(``aftersale demo --scale 10``, or ``--customers N``). Only loopback is used.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/aftersale_bench_pages"
WORKERS = 3  # as docs/operators/deployment.md runs gunicorn
HELLO = "hello-world"
STAFF, CUSTOMER = "staff", "customer"
TARGET_RATIO = {STAFF: 0.2, CUSTOMER: 0.4}
TARGET_P99_MS = 1000  # at the first concurrency (c=8)
REQUEST_TIMEOUT_S = 10.0


@dataclass
class Page:
    name: str
    path: str
    audience: str  # STAFF (back-office and API) or CUSTOMER (portal, tracking)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: dict[str, int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


# -- the database and the sample objects ---------------------------------------------------


def environment(database_url: str, redis_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT / "src")]),
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "API_RATE_LIMIT_PER_MINUTE": "100000000",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def prepare_database(env: dict[str, str], scale: int, customers: int | None) -> None:
    """Migrate, and load the demo shops unless they are there already."""
    aftersale = [sys.executable, "-m", "aftersale.cli"]
    subprocess.run([*aftersale, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    check = (
        "from aftersale.demo.logins import existing_demo_shops; "
        "print('yes' if existing_demo_shops() else 'no')"
    )
    found = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {check}"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    if found != "yes":
        size = ["--customers", str(customers)] if customers else ["--scale", str(scale)]
        print(f"Loading the demo shops ({' '.join(size)})…", flush=True)
        subprocess.run([*aftersale, "demo", *size], env=env, check=True, cwd=ROOT)
    # What the worker keeps ready for the pages in production: the unclaimed report's stored
    # days (a view leaves a long uncounted history to the worker and says so).
    store = "from aftersale.delivery.services import store_unclaimed_report_days as s; s()"
    subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {store}"],
        env=env,
        check=True,
        cwd=ROOT,
    )


def pages_to_measure() -> tuple[list[Page], dict]:
    """The pages, with a staff session, an API token and a portal session to reach them.

    Runs in this process against the same database as the server; picks busy objects (a
    customer with several orders, an order with a parcel and a return) so the pages show
    what a real shop's would.
    """
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from aftersale.core.models import Membership, Shop
    from aftersale.core.services import create_api_token
    from aftersale.delivery.models import Shipment, ShipmentStatus
    from aftersale.orders.models import Customer, Order
    from aftersale.returns.models import ReturnRequest

    shop = Shop.objects.get(slug="pohjola-style")
    owner = (
        Membership.objects.filter(shop=shop, role=Membership.Role.OWNER)
        .select_related("user")
        .first()
    )
    user = owner.user if owner else get_user_model().objects.get(username="owner")
    staff = Client()
    staff.force_login(user)
    staff_cookie = {"Cookie": f"sessionid={staff.cookies['sessionid'].value}"}
    _, token = create_api_token(shop, name="bench/pages")
    api = {"Authorization": f"Bearer {token}"}

    returned = ReturnRequest.objects.for_shop(shop).order_by("-requested_at").first()
    order = returned.order
    customer = (
        Customer.objects.for_shop(shop)
        .annotate(n=Count("orders"))
        .filter(n__gte=3)
        .order_by("id")
        .first()
    ) or order.customer
    parcel = (
        Shipment.objects.for_shop(shop)
        .filter(status=ShipmentStatus.READY_FOR_PICKUP)
        .order_by("-created_at")
        .first()
    ) or Shipment.objects.for_shop(shop).order_by("-created_at").first()
    portal_order = parcel.order
    shipment = parcel

    pages = [
        Page("dashboard", "/", STAFF, staff_cookie),
        Page("customer list", "/customers/", STAFF, staff_cookie),
        Page("customer search", f"/customers/?q={quote(customer.last_name)}", STAFF, staff_cookie),
        Page("customer detail", f"/customers/{customer.pk}/", STAFF, staff_cookie),
        Page("order list", "/orders/", STAFF, staff_cookie),
        Page("order search", f"/orders/?q={quote(customer.email)}", STAFF, staff_cookie),
        Page("order detail", f"/orders/{order.pk}/", STAFF, staff_cookie),
        Page("returns queue", "/returns/", STAFF, staff_cookie),
        Page("return detail", f"/returns/{returned.pk}/", STAFF, staff_cookie),
        Page("deliveries", "/deliveries/", STAFF, staff_cookie),
        Page("unclaimed report", "/deliveries/unclaimed/", STAFF, staff_cookie),
        Page("withdrawals & deadlines", "/withdrawals/", STAFF, staff_cookie),
        Page("insights", "/insights/", STAFF, staff_cookie),
        Page("flows", "/flows/", STAFF, staff_cookie),
        Page("API orders list", "/api/v1/orders?limit=50", STAFF, api),
        Page("API order detail", f"/api/v1/orders/{quote(order.external_id)}", STAFF, api),
        Page("API customers list", "/api/v1/customers?limit=50", STAFF, api),
        Page("API customer detail", f"/api/v1/customers/{quote(customer.external_id)}", STAFF, api),
        Page("API shipments list", "/api/v1/shipments?limit=50", STAFF, api),
        Page("API shipment detail", f"/api/v1/shipments/{quote(shipment.external_id)}", STAFF, api),
        Page("API returns list", "/api/v1/returns?limit=50", STAFF, api),
        Page("API return detail", f"/api/v1/returns/{quote(returned.code)}", STAFF, api),
        Page("portal lookup", f"/s/{shop.slug}/", CUSTOMER),
        Page("portal order", f"/s/{shop.slug}/orders/{portal_order.pk}/", CUSTOMER),
        Page("tracking page", f"/t/{parcel.tracking_token}/", CUSTOMER),
    ]
    portal_sign_in = {
        "path": f"/s/{shop.slug}/",
        "number": portal_order.number,
        "email": Order.objects.get(pk=portal_order.pk).customer.email,
    }
    return pages, portal_sign_in


# -- the server ------------------------------------------------------------------------------


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """gunicorn on a socket this process bound to a free loopback port (no race for a port)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    fd = listener.fileno()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "aftersale.wsgi",
            "--bind",
            f"fd://{fd}",
            "--workers",
            str(WORKERS),
            "--backlog",
            "1024",
            "--log-level",
            "warning",
        ],
        env=env,
        pass_fds=[fd],
        cwd=ROOT,
    )
    listener.close()
    return server, port


async def fetch(port: int, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    """One HTTP/1.1 request on a new connection; the raw response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    method = "POST" if body else "GET"
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    try:
        return await reader.read(-1)
    finally:
        writer.close()


def status_of(response: bytes) -> str:
    return response[9:12].decode(errors="replace") if response.startswith(b"HTTP/") else "???"


async def wait_until_ready(server: subprocess.Popen, port: int, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped before it answered; see its messages above.")
        try:
            if status_of(await fetch(port, "/bench/hello/", {})) == "200":
                return
        except OSError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit(f"gunicorn did not answer within {deadline_s:.0f} s.")


async def portal_session(port: int, sign_in: dict) -> dict[str, str]:
    """Sign in to the portal with an order number and e-mail, as a customer does."""
    first = await fetch(port, sign_in["path"], {})
    cookies = dict(re.findall(rb"Set-Cookie: (\w+)=([^;]*)", first))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', first).group(1).decode()
    csrf = cookies[b"csrftoken"].decode()
    body = f"csrfmiddlewaretoken={token}&number={quote(sign_in['number'])}"
    body += f"&email={quote(sign_in['email'])}"
    answer = await fetch(port, sign_in["path"], {"Cookie": f"csrftoken={csrf}"}, body.encode())
    if status_of(answer) != "302":
        raise SystemExit(f"The portal sign-in answered {status_of(answer)}, not a redirect.")
    session = re.search(rb"Set-Cookie: sessionid=([^;]*)", answer).group(1).decode()
    return {"Cookie": f"sessionid={session}"}


# -- the load ------------------------------------------------------------------------------


async def measure(
    port: int,
    page: Page,
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    timeout: float = REQUEST_TIMEOUT_S,
) -> Result:
    """A closed loop: ``concurrency`` clients each send a request when their last one ends,
    until ``max_requests`` have been sent or ``max_seconds`` have passed. A request that takes
    longer than ``timeout`` counts as an error ("timeout") at that time."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    sent = 0
    start = time.perf_counter()
    deadline = start + max_seconds

    async def client() -> None:
        nonlocal sent
        while sent < max_requests and time.perf_counter() < deadline:
            sent += 1
            began = time.perf_counter()
            try:
                response = fetch(port, page.path, page.headers)
                status = status_of(await asyncio.wait_for(response, timeout))
            except TimeoutError:
                status = "timeout"
            except OSError as exc:
                status = type(exc).__name__
            latencies.append((time.perf_counter() - began) * 1000)
            if status != "200":
                errors[status] = errors.get(status, 0) + 1

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return Result(len(latencies), time.perf_counter() - start, latencies, errors)


async def settle(port: int, deadline_s: float = 300) -> None:
    """After a page that timed out, wait until the workers are free again, so that the next
    page is not measured behind it: gunicorn ends a request after 30 s, and the requests
    still queued behind it run too (8 of them take 3 workers 80 s)."""
    deadline = time.monotonic() + deadline_s
    quick = 0
    while quick < WORKERS and time.monotonic() < deadline:
        began = time.perf_counter()
        try:
            await asyncio.wait_for(fetch(port, "/bench/hello/", {}), 5)
            quick = quick + 1 if time.perf_counter() - began < 0.5 else 0
        except (TimeoutError, OSError):
            quick = 0


def row(name: str, c: int, result: Result, ratio: str, verdict: str) -> str:
    return (
        f"{name:<26} {c:>3} {result.rate:>8.1f} {result.percentile(50):>8.1f} "
        f"{result.percentile(95):>8.1f} {result.percentile(99):>8.1f} {ratio:>7} {verdict}"
    )


async def run(args, pages: list[Page], sign_in: dict, port: int) -> int:
    portal_cookie = await portal_session(port, sign_in)
    for page in pages:
        if page.name == "portal order":
            page.headers = portal_cookie
    hello = Page(HELLO, "/bench/hello/", STAFF)
    # Warm every worker up: imports, templates, translations, connections.
    for page in [hello, *pages]:
        warm = await measure(port, page, WORKERS, WORKERS * args.warmup, 60)
        if warm.errors:
            print(f"{page.name}: {page.path} answered {warm.errors}", file=sys.stderr)
            await settle(port)
    header = (
        f"{'page':<26} {'c':>3} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'ratio':>7} target"
    )
    print(header)
    print("-" * len(header))
    failures = 0
    timed_out: set[str] = set()
    for c in args.concurrency:
        before = await measure(port, hello, c, args.requests, args.seconds)
        results = []
        for page in pages:
            if page.name in timed_out:
                # More clients would only queue more requests behind the ones timing out.
                results.append((page, None))
                continue
            result = await measure(port, page, c, args.requests, args.seconds)
            results.append((page, result))
            if "timeout" in result.errors:
                timed_out.add(page.name)
                await settle(port)
        after = await measure(port, hello, c, args.requests, args.seconds)
        baseline = (before.rate + after.rate) / 2
        print(row(f"{HELLO} (before)", c, before, "", ""))
        for page, result in results:
            if result is None:
                failures += 1
                print(f"{page.name:<26} {c:>3}  not measured: it timed out at a lower concurrency")
                continue
            ratio = result.rate / baseline if baseline else 0.0
            wanted = TARGET_RATIO[page.audience]
            p99_ok = c != args.concurrency[0] or result.percentile(99) < TARGET_P99_MS
            verdict = f">= {wanted}x" + ("" if c != args.concurrency[0] else ", p99 < 1 s")
            met = ratio >= wanted and p99_ok and not result.errors
            verdict += "  ok" if met else "  MISSED"
            if result.errors:
                verdict += f"  errors {result.errors}"
            failures += not met
            print(row(page.name, c, result, f"{ratio:.3f}", verdict))
        print(row(f"{HELLO} (after)", c, after, "", ""))
        print()
    print(f"ratio pages / hello-world: {len(pages) * len(args.concurrency) - failures} of "
          f"{len(pages) * len(args.concurrency)} measurements meet their target; load average "
          f"at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    parser.add_argument("--scale", type=int, default=10, help="demo size when it must be loaded")
    parser.add_argument("--customers", type=int, help="demo customers instead of --scale")
    parser.add_argument("--concurrency", default="8,32", help="comma-separated (default 8,32)")
    parser.add_argument("--seconds", type=float, default=6.0, help="at most, per measurement")
    parser.add_argument("--requests", type=int, default=3000, help="at most, per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="requests per worker and page")
    args = parser.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",")]

    if args.database_url.startswith("postgres"):
        create_postgres_database(args.database_url)
    env = environment(args.database_url, args.redis_url)
    # This process reads the same database to pick the pages (a busy customer, order, …).
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL"):
        os.environ.pop(name, None)
        if name in env:
            os.environ[name] = env[name]
    prepare_database(env, args.scale, args.customers)
    pages, sign_in = pages_to_measure()
    server, port = start_server(env)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))  # stop gunicorn too
    try:
        asyncio.run(wait_until_ready(server, port, 120))
        print(
            f"gunicorn aftersale.wsgi, {WORKERS} workers, on {env['DATABASE_URL'].split('@')[-1]}"
            f"{' with Redis' if args.redis_url else ''}; at most {args.requests} requests or "
            f"{args.seconds:g} s per measurement; load average "
            f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}\n"
        )
        return asyncio.run(run(args, pages, sign_in, port))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def create_postgres_database(url: str) -> None:
    """Create the bench database if it does not exist yet (it is kept for the next run)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main())
