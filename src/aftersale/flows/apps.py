from datetime import timedelta
from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

STEP_PASS_SECONDS = 2.0
STEP_PASS_BATCH = 20


class FlowsConfig(AppConfig):
    name = "aftersale.flows"
    label = "flows"
    verbose_name = _("Flows")

    def ready(self) -> None:
        from aftersale.core.worker import register_job
        from aftersale.flows import signals  # noqa: F401  (connects the receivers)
        from aftersale.flows.scheduler import run_due_steps
        from aftersale.flows.triggers import process_events

        # Job names sort in the order they should run in a pass: events first, then steps.
        # Due steps run in short passes (a few seconds, a few sends at a time), so that a
        # stopping worker ends within seconds; the next pass follows a second later.
        register_job("flows.process_events", process_events, every=timedelta(seconds=1))
        register_job(
            "flows.run_due_steps",
            partial(run_due_steps, time_budget=STEP_PASS_SECONDS, batch=STEP_PASS_BATCH),
            every=timedelta(seconds=1),
        )
