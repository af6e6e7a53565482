"""``aftersale evaluate-recommendations [--shop SLUG] [--split-date YYYY-MM-DD] [--seed N]``:
a time-split holdout over each shop's kept orders, hit rate@10, recall@10 and MRR@10 of our
recommendations beside popularity, random and the ``implicit`` library's ALS, in one table."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from aftersale.core.models import Shop
from aftersale.recommendations.evaluation import default_split, evaluate


class Command(BaseCommand):
    help = "Evaluate the recommendations offline on each shop's history (time split)."

    def add_arguments(self, parser):
        parser.add_argument("--shop", help="only this shop (its slug)")
        parser.add_argument(
            "--split-date",
            type=date.fromisoformat,
            help="train before this day (the shop's time zone), test from it; default: 90 "
            "days before the last order",
        )
        parser.add_argument("--seed", type=int, default=0, help="for random and ALS")

    def handle(self, *args, shop=None, split_date=None, seed=0, **options):
        shops = Shop.objects.order_by("pk")
        if shop:
            shops = shops.filter(slug=shop)
            if not shops.exists():
                raise CommandError(f"No shop with the slug {shop!r}: check `--shop`.")
        for one in shops:
            if split_date is not None:
                split = datetime.combine(split_date, time(), ZoneInfo(one.time_zone))
            else:
                split = default_split(one)
            if split is None:
                self.stdout.write(f"{one.slug}: no kept orders, nothing to evaluate.")
                continue
            result = evaluate(one, split=split, seed=seed)
            self.stdout.write(
                f"{result.shop}: split {split:%Y-%m-%d}, {result.train_lines} kept lines before, "
                f"{result.test_customers} customers who bought something new after, "
                f"{result.products} products"
            )
            header = ("method", "hit rate@10", "recall@10", "MRR@10", "seconds")
            self.stdout.write("  {:<20} {:>11} {:>10} {:>8} {:>8}".format(*header))
            for r in result.results:
                m = r.metrics
                self.stdout.write(
                    f"  {r.name:<20} {m.hit_rate:>11.3f} {m.recall:>10.3f} {m.mrr:>8.3f} "
                    f"{r.seconds:>8.2f}"
                )
            for note in result.notes:
                self.stdout.write(f"  {note}")
