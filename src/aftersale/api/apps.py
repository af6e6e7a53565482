from datetime import timedelta

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "aftersale.api"
    label = "api"

    def ready(self) -> None:
        from aftersale.api.services import forget_expired
        from aftersale.core.worker import register_job

        register_job("api.forget_expired", forget_expired, every=timedelta(hours=1))
