from datetime import timedelta

from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "aftersale.loyalty"
    label = "loyalty"

    def ready(self) -> None:
        from aftersale.core.worker import register_job
        from aftersale.loyalty.expiry import run_expiry
        from aftersale.loyalty.orders_seen import read_new_orders

        register_job("loyalty.read_new_orders", read_new_orders, every=timedelta(seconds=5))
        register_job("loyalty.expire_points", run_expiry, every=timedelta(hours=6))
