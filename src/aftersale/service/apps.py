from datetime import timedelta

from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "aftersale.service"
    label = "service"

    def ready(self):
        from aftersale.core.worker import register_job
        from aftersale.service.help.starter import refresh_all_shops

        register_job(
            "service.refresh_starter_articles", refresh_all_shops, every=timedelta(hours=1)
        )
