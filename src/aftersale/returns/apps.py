from datetime import timedelta

from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "aftersale.returns"
    label = "returns"

    def ready(self):
        from aftersale.core.worker import register_job
        from aftersale.returns.unclaimed import open_cases_from_timeline
        from aftersale.returns.withdrawals import resend_unsent_acknowledgements

        register_job(
            "returns.resend_withdrawal_acknowledgements",
            resend_unsent_acknowledgements,
            every=timedelta(minutes=1),
        )
        register_job(
            "returns.open_unclaimed_cases", open_cases_from_timeline, every=timedelta(minutes=5)
        )
