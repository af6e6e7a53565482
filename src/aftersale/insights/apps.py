from datetime import timedelta

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "aftersale.insights"
    label = "insights"

    def ready(self) -> None:
        from aftersale.core.worker import register_job
        from aftersale.insights.tasks import compute_all_shops

        register_job("insights.nightly", compute_all_shops, every=timedelta(hours=24))
