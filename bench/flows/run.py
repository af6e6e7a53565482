"""Flows benchmark: how fast due steps become e-mails, and how fast a flow starts for many.

1. Messages per second from a due step to a local SMTP server (aiosmtpd on 127.0.0.1, in a
   process of its own): the worker claims the steps, renders the templates, writes the outbox
   rows, sends over one SMTP connection and records the results, a batch at a time (its
   sending thread sends one batch while the next is prepared). Beside it, the baseline: the same
   messages, already rendered, sent raw with smtplib over one connection. The ratio says what
   the bookkeeping costs.
2. One worker process against two (PostgreSQL only): BENCH_WORKER_MESSAGES (600) due steps
   sent to a server that takes BENCH_SMTP_DELAY (0.05) seconds to answer each message, as a
   remote server or provider does. Workers scale with the server's latency; against a server
   with no latency on the same two cores they would only compete with it for the CPU.
3. The time to start a flow for BENCH_CUSTOMERS (100,000) customers at once: their events are
   on the timeline, one trigger pass starts every run and schedules its first step.

Runs on a fresh SQLite file in a temporary directory (or on BENCH_DATABASE_URL, an empty
PostgreSQL database). Sizes: BENCH_MESSAGES (2,000) and BENCH_CUSTOMERS (100,000).
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
import smtplib
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
TMP = tempfile.mkdtemp(prefix="aftersale-bench-flows-")
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "2000"))
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
WORKER_MESSAGES = int(os.environ.get("BENCH_WORKER_MESSAGES", "600"))
SMTP_DELAY = float(os.environ.get("BENCH_SMTP_DELAY", "0.05"))

from tests.smtp import SmtpServer  # noqa: E402


def _serve(delay: float, pipe) -> None:
    server = SmtpServer()
    server.mailbox.delay = delay
    server.start()
    pipe.send(server.port)
    try:
        pipe.recv()  # until the benchmark is done (or gone)
    except EOFError:
        pass
    server.stop()


class ServerProcess:
    """The SMTP server (tests/smtp.py) in a process of its own, as a real server is: in the
    benchmark's process it would share the interpreter lock with the worker it answers."""

    def __init__(self, delay: float = 0.0) -> None:
        context = multiprocessing.get_context("fork")  # before Django is set up
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(delay, child), daemon=True)
        self.process.start()
        self.port = self.pipe.recv()
        self.url = f"smtp://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.pipe.send(None)
        self.process.join(timeout=30)


SERVER = ServerProcess()
SLOW_SERVER = ServerProcess(delay=SMTP_DELAY)  # a remote server's latency, for the workers
os.environ.update(
    DJANGO_SETTINGS_MODULE="aftersale.settings",
    DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3"),
    AFTERSALE_VAR=TMP,
    EMAIL_URL=SERVER.url,
    LOG_LEVEL="WARNING",
)
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # a throw-away database

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.mail import EmailMultiAlternatives  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from aftersale.core.services import create_shop  # noqa: E402
from aftersale.flows.models import Flow, FlowRun, Message, StepRun  # noqa: E402
from aftersale.flows.rendering import Rendered  # noqa: E402
from aftersale.flows.scheduler import run_due_steps  # noqa: E402
from aftersale.flows.services import save_flow  # noqa: E402
from aftersale.flows.triggers import process_events  # noqa: E402
from aftersale.orders.models import Customer, Order  # noqa: E402
from aftersale.timeline import types  # noqa: E402
from aftersale.timeline.services import event_row, record_events  # noqa: E402


def customers_with_orders(shop, count: int, prefix: str) -> list[Order]:
    now = timezone.now()
    customers = Customer.objects.bulk_create(
        (
            Customer(
                shop=shop,
                external_id=f"{prefix}-{i}",
                email=f"{prefix}{i}@example.fi",
                first_name="Aino",
                language=("fi", "sv", "en")[i % 3],
                marketing_consent=True,
            )
            for i in range(count)
        ),
        batch_size=5000,
    )
    return Order.objects.bulk_create(
        (
            Order(
                shop=shop,
                customer=customer,
                external_id=f"{prefix}-o{i}",
                number=str(100000 + i),
                placed_at=now,
                total_cents=5580,
            )
            for i, customer in enumerate(customers)
        ),
        batch_size=5000,
    )


def place(shop, orders: list[Order]) -> None:
    now = timezone.now()
    record_events(
        [
            event_row(
                shop.pk,
                types.ORDER_PLACED,
                "order",
                order.pk,
                customer_id=order.customer_id,
                occurred_at=now,
            )
            for order in orders
        ]
    )


def raw_rate(shop) -> float:
    """The shop's sent messages, already rendered, sent raw with smtplib over one connection."""
    raw = []
    for message in Message.objects.for_shop(shop):
        email = EmailMultiAlternatives(
            message.subject, message.body, "noreply@localhost", [message.recipient]
        )
        email.attach_alternative(Rendered(message.subject, message.body).html, "text/html")
        raw.append((message.recipient, email.message().as_bytes(linesep="\r\n")))
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", SERVER.port) as smtp:
        for recipient, data in raw:
            smtp.sendmail("noreply@localhost", [recipient], data)
    return len(raw) / (time.perf_counter() - started)


def flows_rate(round: int):
    shop = create_shop(name="Bench Shop", slug=f"bench-send-{round}")
    Flow.objects.for_shop(shop).exclude(key="order_thanks").update(enabled=False)
    place(shop, customers_with_orders(shop, MESSAGES, f"send{round}-"))
    process_events()
    assert StepRun.objects.filter(state="pending").count() == MESSAGES

    started = time.perf_counter()
    while run_due_steps(time_budget=600):
        pass
    seconds = time.perf_counter() - started
    sent = Message.objects.for_shop(shop).filter(state=Message.State.SENT).count()
    assert sent == MESSAGES, f"only {sent} of {MESSAGES} sent"
    return shop, MESSAGES / seconds


def bench_sending() -> tuple[float, float]:
    """Two rounds of worker then baseline, interleaved, so that a machine whose load drifts
    during the run weighs on both sides alike. Returns the mean rates."""
    first, flows_first = flows_rate(1)
    raw_first = raw_rate(first)
    second, flows_second = flows_rate(2)
    raw_second = raw_rate(second)
    return (flows_first + flows_second) / 2, (raw_first + raw_second) / 2


def _worker() -> None:
    connections.close_all()  # a fresh connection in the forked process
    while run_due_steps(time_budget=600):
        pass
    connections.close_all()


def bench_workers(count: int) -> float:
    """Messages per second sent by ``count`` worker processes together."""
    shop = create_shop(name=f"Bench Workers {count}", slug=f"bench-workers-{count}")
    Flow.objects.for_shop(shop).exclude(key="order_thanks").update(enabled=False)
    place(shop, customers_with_orders(shop, WORKER_MESSAGES, f"w{count}-"))
    process_events()
    connections.close_all()
    settings.EMAIL_PORT = SLOW_SERVER.port
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_worker) for _ in range(count)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    seconds = time.perf_counter() - started
    settings.EMAIL_PORT = SERVER.port
    sent = Message.objects.for_shop(shop).filter(state=Message.State.SENT).count()
    assert sent == WORKER_MESSAGES, f"only {sent} of {WORKER_MESSAGES} sent by {count} workers"
    return WORKER_MESSAGES / seconds


def bench_start() -> tuple[float, int]:
    shop = create_shop(name="Bench Start", slug="bench-start")
    Flow.objects.for_shop(shop).update(enabled=False)
    save_flow(
        shop,
        None,
        steps=[
            {"type": "wait", "wait": timedelta(days=7)},
            {"type": "email", "template_key": "order_thanks"},
        ],
        name="Week later",
        kind="marketing",
        enabled=True,
        trigger_type=types.ORDER_PLACED,
    )
    place(shop, customers_with_orders(shop, CUSTOMERS, "start"))
    started = time.perf_counter()
    process_events()
    seconds = time.perf_counter() - started
    runs = FlowRun.objects.for_shop(shop).count()
    assert runs == CUSTOMERS, f"{runs} runs for {CUSTOMERS} customers"
    return seconds, runs


def main() -> None:
    call_command("migrate", verbosity=0)
    try:
        flows_rate, raw_rate = bench_sending()
        postgres = django.db.connection.vendor == "postgresql"
        one, two = (bench_workers(1), bench_workers(2)) if postgres else (0.0, 0.0)
        start_seconds, runs = bench_start()
    finally:
        SERVER.stop()
        SLOW_SERVER.stop()
    vendor = django.db.connection.vendor
    print(f"Flows benchmark on {vendor}, SMTP server aiosmtpd on 127.0.0.1")
    print(f"{'measure':<52} {'value':>12}")
    print(f"{'due step -> SMTP, messages/s (flows worker)':<52} {flows_rate:>12.0f}")
    print(f"{'raw smtplib, one connection, messages/s (baseline)':<52} {raw_rate:>12.0f}")
    print(f"{'ratio flows / raw SMTP':<52} {flows_rate / raw_rate:>12.2f}")
    if one:
        delay = f"server answers in {SMTP_DELAY * 1000:.0f} ms"
        print(f"{f'one worker, {delay}, messages/s':<52} {one:>12.0f}")
        print(f"{f'two workers, {delay}, messages/s':<52} {two:>12.0f}")
        print(f"{'ratio two workers / one':<52} {two / one:>12.2f}")
    else:
        print("two workers against one: PostgreSQL only (set BENCH_DATABASE_URL)")
    print(f"{f'start a flow for {runs:,} customers, seconds':<52} {start_seconds:>12.1f}")
    print(f"{'runs started per second':<52} {runs / start_seconds:>12.0f}")


if __name__ == "__main__":
    main()
