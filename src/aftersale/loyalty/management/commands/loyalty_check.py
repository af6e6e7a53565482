"""``aftersale loyalty-check [--shop SLUG] [--fix]``: compare every member's cached points
with the sums of their ledger, and each shop's liability figure with its members' balances,
and list the drift; ``--fix`` sets the cache to the ledger and the figure to the members'."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from aftersale.core.models import Shop
from aftersale.loyalty.reconcile import drifts, liability_drift


class Command(BaseCommand):
    help = "Reconcile the loyalty members' cached balances against the ledger."

    def add_arguments(self, parser):
        parser.add_argument("--shop", help="only this shop (its slug)")
        parser.add_argument(
            "--fix", action="store_true", help="set drifted balances to the ledger's sums"
        )

    def handle(self, *args, shop=None, fix=False, **options):
        shops = Shop.objects.order_by("pk")
        if shop:
            shops = shops.filter(slug=shop)
            if not shops.exists():
                raise CommandError(f"No shop with the slug {shop!r}: check `--shop`.")
        slugs = dict(shops.values_list("pk", "slug"))
        found = 0
        for drift in drifts(list(shops), fix=fix):
            found += 1
            self.stdout.write(
                f"{slugs[drift.shop_id]} customer {drift.customer_id}: "
                f"available {drift.cached_available} cached, {drift.ledger_available} in the "
                f"ledger; pending {drift.cached_pending} cached, {drift.ledger_pending} in the "
                f"ledger" + (" — fixed" if fix else "")
            )
        for one in shops:
            drift = liability_drift(one, fix=fix)
            if drift is None:
                continue
            found += 1
            self.stdout.write(
                f"{one.slug} liability: {drift.kept.members} members, {drift.kept.available} "
                f"available and {drift.kept.pending} pending kept; the members' balances sum to "
                f"{drift.members.members}, {drift.members.available} and {drift.members.pending}"
                + (" — fixed" if fix else "")
            )
        if not found:
            self.stdout.write("No drift: every cached balance matches the ledger.")
        elif fix:
            self.stdout.write(f"{found} balances set to the ledger's sums.")
        else:
            self.stdout.write(f"{found} balances drift from the ledger; run with --fix to repair.")
            raise SystemExit(1)
