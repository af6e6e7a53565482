from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "aftersale.webhooks"
    label = "webhooks"
    verbose_name = _("Outbound webhooks")

    def ready(self) -> None:
        from aftersale.core.worker import register_job
        from aftersale.webhooks.delivery import queue_new_events, send_due_deliveries

        register_job("webhooks.queue_new_events", queue_new_events, every=timedelta(seconds=2))
        register_job(
            "webhooks.send_due_deliveries", send_due_deliveries, every=timedelta(seconds=2)
        )
