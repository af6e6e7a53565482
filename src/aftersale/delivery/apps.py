from datetime import timedelta

from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "aftersale.delivery"
    label = "delivery"

    def ready(self) -> None:
        from aftersale.core.worker import register_job
        from aftersale.delivery.services import store_unclaimed_report_days

        register_job(
            "delivery.unclaimed_report_days", store_unclaimed_report_days, every=timedelta(hours=1)
        )
