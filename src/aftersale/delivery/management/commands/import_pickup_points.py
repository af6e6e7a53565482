"""aftersale import-pickup-points FILE --shop SLUG: load a carrier's pickup-point registry."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from aftersale.core.models import Shop
from aftersale.delivery.pickup_points import PickupPointImportError, import_pickup_points


class Command(BaseCommand):
    help = (
        "Import pickup points from a CSV file (columns: carrier, code, name, kind, street, "
        "postcode, city, latitude, longitude, opening_hours). All rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="CSV file, UTF-8, comma or semicolon separated."
        )
        parser.add_argument("--shop", required=True, help="The shop's slug.")
        parser.add_argument(
            "--keep-missing",
            action="store_true",
            help="Keep points the file no longer lists active (default: mark them closed).",
        )

    def handle(self, *, file: Path, shop: str, keep_missing: bool, **options):
        try:
            target = Shop.objects.get(slug=shop)
        except Shop.DoesNotExist as error:
            raise CommandError(f"No shop with the slug “{shop}”.") from error
        try:
            text = file.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text: save it as UTF-8 CSV.") from error
        lines = text.splitlines()
        delimiter = ";" if lines and lines[0].count(";") > lines[0].count(",") else ","
        rows = list(csv.DictReader(lines, delimiter=delimiter))
        with tqdm(
            total=len(rows), unit="point", disable=options.get("verbosity", 1) < 1,
            file=self.stderr._out,
        ) as bar:  # fmt: skip
            try:
                result = import_pickup_points(
                    target,
                    rows,
                    deactivate_missing=not keep_missing,
                    progress=lambda n: bar.update(1),
                )
            except PickupPointImportError as error:
                bar.close()
                for problem in error.errors:
                    self.stderr.write(str(problem))
                raise CommandError(
                    f"Nothing was imported: {len(error.errors)} problem(s) in {file}."
                ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.total} pickup point(s) of {', '.join(result.carriers)}: "
                f"{result.created} new, {result.updated} updated, "
                f"{result.deactivated} no longer listed and marked closed."
            )
        )
