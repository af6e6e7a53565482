"""Satisfaction surveys: a shop's survey settings and its customers' answers.

The question goes out as a built-in flow (``flows.builtin``: a few days after the parcel was
delivered or picked up); each answer belongs to the run that asked, so the response rate of a
flow is its sent messages against its answers. An answer is one score on the shop's scale
(1–5 CSAT or 0–10 NPS) and an optional comment; answering again changes it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped


class Scale(models.TextChoices):
    CSAT = "csat", _("Satisfaction, 1–5 (CSAT)")
    NPS = "nps", _("Recommendation, 0–10 (NPS)")


# The scores of each scale, and what counts as satisfied and as a low score by default.
SCORES = {Scale.CSAT: range(1, 6), Scale.NPS: range(0, 11)}
# CSAT % is the share of 4s and 5s; NPS is the share of 9s and 10s minus the share of 0–6.
GOOD_FROM = {Scale.CSAT: 4, Scale.NPS: 9}
BAD_UP_TO = {Scale.CSAT: 2, Scale.NPS: 6}
DEFAULT_LOW_SCORE = {Scale.CSAT: 2, Scale.NPS: 6}


class About(models.TextChoices):
    """What the customer says their answer is mostly about (optional)."""

    PRODUCT = "product", _("The product")
    DELIVERY = "delivery", _("The delivery")
    OTHER = "other", _("Something else")


class SurveySettings(TimeStamped):
    """How a shop asks: the scale, and whether a low score opens a service-desk ticket.

    When the question is sent (and whether at all) is the survey flows' own setting: their
    wait step and their on/off switch (``surveys.services.save_survey_settings`` sets both).
    """

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="survey_settings")
    scale = models.CharField(_("scale"), max_length=4, choices=Scale.choices, default=Scale.CSAT)
    low_score_tickets = models.BooleanField(
        _("open a ticket for a low score"),
        default=False,
        help_text=_("A customer service ticket with the comment, once per answer."),
    )
    low_score = models.PositiveSmallIntegerField(
        _("low score"),
        null=True,
        blank=True,
        help_text=_("This score or lower is low. Empty: 2 on the 1–5 scale, 6 on 0–10."),
    )

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop"]
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")

    def __str__(self) -> str:
        return f"{self.shop} surveys"

    @property
    def low_score_limit(self) -> int:
        return self.low_score if self.low_score is not None else DEFAULT_LOW_SCORE[self.scale]


class SurveyAnswerQuerySet(ShopOwnedQuerySet):
    def between(self, since, until) -> SurveyAnswerQuerySet:
        return self.filter(answered_at__gte=since, answered_at__lt=until)


class SurveyAnswer(TimeStamped):
    """A customer's answer to the survey about one received parcel (one per flow run)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.CASCADE, related_name="survey_answers"
    )
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_answers",
    )
    shipment = models.ForeignKey(
        "delivery.Shipment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_answers",
    )
    flow = models.ForeignKey(
        "flows.Flow", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run = models.OneToOneField(
        "flows.FlowRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_answer",
    )
    scale = models.CharField(_("scale"), max_length=4, choices=Scale.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    about = models.CharField(_("about"), max_length=10, choices=About.choices, blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    answered_at = models.DateTimeField(_("answered at"))
    ticket = models.ForeignKey(
        "service.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ticket"),
    )

    objects = SurveyAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        indexes = [
            models.Index(fields=["shop", "scale", "answered_at"], name="surveyanswer_period"),
            models.Index(fields=["shop", "updated_at"], name="surveyanswer_changes"),
        ]

    def __str__(self) -> str:
        return f"{self.score} ({self.scale}) by {self.customer_id}"
