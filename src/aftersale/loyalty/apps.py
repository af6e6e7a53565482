from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "aftersale.loyalty"
    label = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        from aftersale.core.worker import register_job
        from aftersale.loyalty.earning import process_events
        from aftersale.loyalty.effect import compute_all_effect_reports
        from aftersale.loyalty.vesting import review_tiers, vest_due

        # Points from the timeline every few seconds; vesting hourly (deadlines end at
        # midnight in the shop's time zone); tiers move down at most once a day.
        register_job("loyalty.process_events", process_events, every=timedelta(seconds=5))
        register_job("loyalty.vest_due", vest_due, every=timedelta(hours=1))
        register_job("loyalty.review_tiers", review_tiers, every=timedelta(hours=24))
        register_job(
            "loyalty.effect_reports", compute_all_effect_reports, every=timedelta(hours=24)
        )
        # Rewards and referrals: codes used by ingested orders, friends' first orders, expiry.
        from aftersale.loyalty.expiry import run_expiry
        from aftersale.loyalty.orders_seen import read_new_orders

        register_job("loyalty.read_new_orders", read_new_orders, every=timedelta(seconds=5))
        register_job("loyalty.expire_points", run_expiry, every=timedelta(hours=6))
