from datetime import timedelta

from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "aftersale.service"
    label = "service"

    def ready(self) -> None:
        from aftersale.core.worker import register_job
        from aftersale.service.help.starter import refresh_all_shops
        from aftersale.service.inbound import webhook  # noqa: F401  (Anymail's inbound signal)
        from aftersale.service.services import wake_snoozed

        register_job(
            "service.refresh_starter_articles", refresh_all_shops, every=timedelta(hours=1)
        )
        register_job("service.wake_snoozed", wake_snoozed, every=timedelta(minutes=1))
