from datetime import timedelta

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "aftersale.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        # Each app's privacy.py declares what it holds about a customer (see registry.py).
        autodiscover_modules("privacy")
        from aftersale.core.worker import register_job
        from aftersale.privacy import signals  # noqa: F401  (connects the audit receivers)
        from aftersale.privacy.retention import apply_retention_everywhere, forget_finished_tasks

        register_job("privacy.retention", apply_retention_everywhere, every=timedelta(hours=24))
        register_job("privacy.finished_tasks", forget_finished_tasks, every=timedelta(hours=24))
