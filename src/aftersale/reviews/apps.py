from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "aftersale.reviews"
    label = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from aftersale.core.worker import register_job
        from aftersale.reviews.requests import plan_requests, release_due

        # Requests are planned from the timeline within seconds of a delivery or pickup and
        # handed to the review-request flow when they fall due (days later: a minute is exact
        # enough).
        register_job("reviews.plan_requests", plan_requests, every=timedelta(seconds=10))
        register_job("reviews.release_due", release_due, every=timedelta(minutes=1))
