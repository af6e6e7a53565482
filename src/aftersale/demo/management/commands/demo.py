"""``aftersale demo``: create the two demo shops with two years of simulated history.

See docs/demo.md for every parameter and the rates the data is built to show.
"""

from __future__ import annotations

import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from aftersale.core.bulk import analyze
from aftersale.delivery.services import store_report_days
from aftersale.demo import logins
from aftersale.demo.headline import headline_rates
from aftersale.demo.simulation import SHOPS, DemoParameters, simulate
from aftersale.demo.tickets import create_demo_tickets
from aftersale.demo.writer import WRITTEN_MODELS, RowWriter, create_demo_shop, write_history
from aftersale.service.help.starter import create_starter_articles


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--end-date must be a date like 2026-11-23, not {value!r}.") from exc


class Command(BaseCommand):
    help = (
        "Create the demo shops Pohjola Style and Saaristo Tech with about two years of "
        "simulated customers, orders, deliveries, returns and refunds (docs/demo.md)."
    )

    def add_arguments(self, parser):
        defaults = DemoParameters(end_date=date(2000, 1, 1))
        parser.add_argument(
            "--seed", type=int, default=defaults.seed, help="Random seed (same seed, same data)."
        )
        parser.add_argument(
            "--customers",
            type=int,
            default=defaults.customers,
            help=f"Customers of Pohjola Style (default {defaults.customers:,}, about 50,000 "
            "orders); Saaristo Tech gets 1/80 of them, at least 25.",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply the number of customers (and so orders) by this: --scale 10 makes "
            "200,000 customers and about 530,000 orders, for trying the product at size.",
        )
        parser.add_argument(
            "--months", type=int, default=defaults.months, help="Months of history (default 24)."
        )
        parser.add_argument(
            "--end-date",
            type=parse_date,
            default=None,
            help="The day the history ends (YYYY-MM-DD, default today); nothing happens on or "
            "after its midnight in Helsinki.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo shops (and only them) first, if they exist.",
        )

    def handle(self, *, seed, customers, scale, months, end_date, reset, **options):
        if customers < 1:
            raise CommandError("--customers must be at least 1.")
        if not 1 <= scale <= 100:
            raise CommandError("--scale must be a whole number between 1 and 100.")
        customers *= scale
        if not 1 <= months <= 120:
            raise CommandError("--months must be between 1 and 120.")
        started = time.monotonic()
        end_date = end_date or timezone.localdate()
        parameters = DemoParameters(
            end_date=end_date, seed=seed, customers=customers, months=months
        )
        existing = logins.existing_demo_shops()
        if existing and not reset:
            names = ", ".join(existing)
            raise CommandError(
                f"The demo shops already exist ({names}). Run 'aftersale demo --reset' to delete "
                "them and create them again; no other shop is touched."
            )
        if existing:
            self.stdout.write(f"Deleting the demo shops {', '.join(existing)}…")
            logins.delete_demo_shops()

        self.stdout.write(
            f"Simulating {months} months up to {end_date:%Y-%m-%d} "
            f"(seed {seed}, {customers:,} customers)…"
        )
        data = simulate(parameters)
        self.stdout.write(f"  done in {time.monotonic() - started:.1f} s")

        writer = RowWriter()
        with transaction.atomic():
            shops = {}
            with writer.indexes_built_afterwards(WRITTEN_MODELS):
                for spec, history in zip(SHOPS, data.shops, strict=True):
                    self.stdout.write(f"Writing {spec.name} ({spec.slug})…")
                    shop = create_demo_shop(spec)
                    shops[spec.slug] = shop
                    write_history(shop, history, writer, self.stdout.write)
                self.stdout.write("Indexing…")
            logins.create_demo_users(shops, settings.DEMO_PASSWORD)
            writer.reset_sequences(WRITTEN_MODELS)
            # The help centre's starter articles, written from each shop's settings and parcels.
            for shop in shops.values():
                create_starter_articles(shop)
            # A handful of recent support tickets (answers recorded, never e-mailed), when the
            # history reaches today: they are opened now, and nothing is after the history.
            if end_date >= timezone.localdate():
                for shop in shops.values():
                    create_demo_tickets(shop, seed)
        self.stdout.write("Updating the query planner's statistics…")
        analyze(WRITTEN_MODELS, vacuum=True)
        # The unclaimed report's year of days, counted now rather than at its first view.
        self.stdout.write("Counting parcels per day for the unclaimed report…")
        for shop in shops.values():
            store_report_days(shop)

        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data created in {elapsed:.1f} s."))
        for history in data.shops:
            self.stdout.write(f"\n{history.spec.name}")
            for label, value in headline_rates(history).items():
                self.stdout.write(f"  {label:<42} {value}")
        self.stdout.write("\nLogins:")
        for line in logins.demo_logins():
            self.stdout.write(f"  {line}")
