"""aftersale import-reviews FILE --shop SLUG: import old reviews from a CSV file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aftersale.core.models import Shop
from aftersale.orders.csv_import import ImportFailed
from aftersale.reviews.csv_import import import_reviews_csv


class Command(BaseCommand):
    help = (
        "Import reviews collected with another tool from a CSV file, with their verification "
        "status (docs/developers/csv.md). All rows or none; the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file (UTF-8, comma or semicolon).")
        parser.add_argument("--shop", required=True, help="The shop's slug.")

    def handle(self, *, file: Path, shop: str, **options):
        try:
            target = Shop.objects.get(slug=shop)
        except Shop.DoesNotExist as error:
            raise CommandError(f"No shop with the slug “{shop}”.") from error
        try:
            stream = file.open("rb")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        with stream:
            try:
                summary = import_reviews_csv(target, stream)
            except ImportFailed as error:
                for problem in error.problems:
                    self.stderr.write(str(problem))
                raise CommandError(
                    f"Nothing was imported: {len(error.problems)} problem(s) in {file}."
                ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {summary.reviews} review(s): {summary.created} new, "
                f"{summary.updated} updated, {summary.unchanged} unchanged."
            )
        )
