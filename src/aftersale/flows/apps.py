from datetime import timedelta
from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# A pass of due steps ends after this long so that the other jobs get their turn; a stopping
# worker does not wait for it (run_due_steps checks for a stop between batches and messages).
STEP_PASS_SECONDS = 10.0


class FlowsConfig(AppConfig):
    name = "aftersale.flows"
    label = "flows"
    verbose_name = _("Flows")

    def ready(self) -> None:
        from aftersale.core.worker import register_job
        from aftersale.flows import signals  # noqa: F401  (connects the receivers)
        from aftersale.flows.direct import send_due_messages
        from aftersale.flows.scheduler import run_due_steps
        from aftersale.flows.triggers import process_events

        # Job names sort in the order they should run in a pass: events first, then steps.
        register_job("flows.process_events", process_events, every=timedelta(seconds=1))
        register_job(
            "flows.run_due_steps",
            partial(run_due_steps, time_budget=STEP_PASS_SECONDS),
            every=timedelta(seconds=1),
        )
        # Messages written outside flows (staff replies to tickets): flows/direct.py.
        register_job("flows.send_direct_messages", send_due_messages, every=timedelta(seconds=5))
