"""``aftersale import-orders FILE --shop SLUG``: import orders from a CSV file, all or nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from aftersale.core.models import Shop
from aftersale.orders.csv_import import ImportFailed, import_orders_csv


class Command(BaseCommand):
    help = "Import orders from a CSV file (one row per order line); see docs/developers/csv.md."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with a header row (UTF-8, or an Excel export)")
        parser.add_argument("--shop", required=True, help="slug of the shop to import into")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file, shop, no_progress=False, **options):
        try:
            target = Shop.objects.get(slug=shop)
        except Shop.DoesNotExist:
            raise CommandError(f"No shop with the slug {shop!r}.") from None
        bar = None

        def start(total):
            nonlocal bar
            bar = tqdm(total=total, unit="order", disable=no_progress, file=self.stderr._out)

        try:
            with open(file, "rb") as stream:
                summary = import_orders_csv(
                    target, stream, on_start=start, progress=lambda n: bar.update(n)
                )
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from None
        except ImportFailed as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Nothing was imported: {len(exc.problems)} problem(s) in {file}."
            ) from None
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {summary.orders} orders from {summary.rows} rows: "
                f"{summary.created} new, {summary.updated} updated."
            )
        )
