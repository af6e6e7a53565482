"""Changing surveys: the shop's settings, and recording a customer's answer.

    save_survey_settings(shop, *, enabled, delay_days, scale, low_score_tickets, low_score)
    record_answer(shop, run, *, scale, score, comment="", about="", language="")

An answer never touches anything that decides whether or how the customer is asked for a
review: it is stored, announced on the timeline (``survey.answered``) and, for a low score
when the shop wants it, turned into one service-desk ticket.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersale.delivery.models import Shipment
from aftersale.flows.builtin import SURVEY_FLOW_KEYS
from aftersale.flows.models import Flow, FlowRun
from aftersale.flows.services import install_builtin_flows, set_first_wait, set_flow_enabled
from aftersale.service.models import Source, Topic
from aftersale.service.services import open_ticket
from aftersale.surveys.models import (
    DEFAULT_LOW_SCORE,
    SCORES,
    About,
    Scale,
    SurveyAnswer,
    SurveySettings,
)
from aftersale.timeline import types
from aftersale.timeline.services import record_event

MAX_COMMENT = 2000
MAX_DELAY_DAYS = 60


@transaction.atomic
def save_survey_settings(
    shop,
    *,
    enabled: bool,
    delay_days: int,
    scale: str,
    low_score_tickets: bool,
    low_score: int | None,
) -> SurveySettings:
    """Save how the shop asks; the delay and the switch go to both survey flows."""
    errors = {}
    if scale not in Scale.values:
        errors["scale"] = _("Choose 1–5 (CSAT) or 0–10 (NPS).")
    elif low_score is not None and low_score not in SCORES[scale]:
        top = SCORES[scale][-1]
        errors["low_score"] = _("Give a score from %(low)s to %(high)s, or leave it empty.") % {
            "low": SCORES[scale][0],
            "high": top,
        }
    if not 0 <= delay_days <= MAX_DELAY_DAYS:
        errors["delay_days"] = _("Give a number of days from 0 to %(max)s.") % {
            "max": MAX_DELAY_DAYS
        }
    if errors:
        raise ValidationError(errors)
    settings, _created = SurveySettings.objects.get_or_create(shop=shop)
    settings.scale = scale
    settings.low_score_tickets = low_score_tickets
    settings.low_score = low_score
    settings.save()
    install_builtin_flows(shop)  # the survey flows, for shops created before they existed
    for flow in Flow.objects.for_shop(shop).filter(key__in=SURVEY_FLOW_KEYS):
        set_first_wait(shop, flow, timedelta(days=delay_days))
        if flow.enabled != enabled:
            set_flow_enabled(shop, flow, enabled)
    return settings


def _clean(scale: str, score, comment: str, about: str) -> tuple[int, str]:
    if scale not in SCORES:
        raise ValidationError({"score": _("This survey link is not valid any more.")})
    scores = SCORES[scale]
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = None
    if score not in scores:
        raise ValidationError(
            {
                "score": _("Choose a score from %(low)s to %(high)s.")
                % {"low": scores[0], "high": scores[-1]}
            }
        )
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError(
            {
                "comment": _("The comment is %(length)s characters long; shorten it to %(max)s.")
                % {"length": len(comment), "max": MAX_COMMENT}
            }
        )
    if about and about not in About.values:
        raise ValidationError({"about": _("Choose one of the options or none.")})
    return score, comment


def _low(settings: SurveySettings, answer: SurveyAnswer) -> bool:
    limit = (
        settings.low_score_limit
        if answer.scale == settings.scale
        else DEFAULT_LOW_SCORE[answer.scale]
    )
    return answer.score <= limit


def _open_low_score_ticket(shop, answer: SurveyAnswer) -> None:
    order = answer.order
    top = SCORES[answer.scale][-1]
    with translation.override(shop.default_language):
        subject = _("Satisfaction survey: %(score)s of %(top)s") % {
            "score": answer.score,
            "top": top,
        }
        if order is not None:
            subject += " · " + _("order %(number)s") % {"number": order.number}
        body = answer.comment or _("The customer gave %(score)s of %(top)s without a comment.") % {
            "score": answer.score,
            "top": top,
        }
    topic = {About.PRODUCT: Topic.PRODUCT, About.DELIVERY: Topic.DELIVERY}.get(
        answer.about, Topic.OTHER
    )
    answer.ticket = open_ticket(
        shop,
        email=answer.customer.email,
        name="",
        subject=subject,
        body=body,
        topic=topic,
        source=Source.SURVEY,
        customer=answer.customer,
        order=order if order is not None and order.customer_id == answer.customer_id else None,
        language=answer.language,
    )
    answer.save(update_fields=["ticket", "updated_at"])


@transaction.atomic
def record_answer(
    shop,
    run: FlowRun,
    *,
    scale: str,
    score,
    comment: str = "",
    about: str = "",
    language: str = "",
) -> SurveyAnswer:
    """Store the customer's answer to the survey ``run`` sent (or change their earlier one).

    A low score opens a ticket when the shop wants it: once per answer, however often the
    customer changes it.
    """
    assert run.shop_id == shop.pk
    score, comment = _clean(scale, score, comment, about)
    now = timezone.now()
    answer = SurveyAnswer.objects.select_for_update().filter(run=run).first()
    changed = answer is not None
    if answer is None:
        shipment = None
        if run.subject_type == "shipment":
            shipment = Shipment.objects.for_shop(shop).filter(pk=run.subject_id).first()
        answer = SurveyAnswer(
            shop=shop,
            customer_id=run.customer_id,
            order_id=run.order_id,
            shipment=shipment,
            flow_id=run.flow_id,
            run=run,
        )
    answer.scale = scale
    answer.score = score
    answer.comment = comment
    answer.about = about
    answer.language = language[:5]
    answer.answered_at = now
    try:
        with transaction.atomic():
            answer.save()
    except IntegrityError:
        # The same link was pressed twice at once: the other press made the answer; this
        # one changes it.
        return record_answer(
            shop, run, scale=scale, score=score, comment=comment, about=about, language=language
        )
    settings = SurveySettings.objects.for_shop(shop).first()
    if settings is not None and settings.low_score_tickets and answer.ticket_id is None:
        if _low(settings, answer):
            _open_low_score_ticket(shop, answer)
    record_event(
        shop,
        types.SURVEY_ANSWERED,
        subject=answer,
        customer=answer.customer,
        payload={
            "answer_id": answer.pk,
            "scale": scale,
            "score": score,
            "about": about,
            "has_comment": bool(comment),
            "changed": changed,
            "order_id": answer.order_id,
            "shipment_id": answer.shipment_id,
            "ticket_number": answer.ticket.number if answer.ticket_id else None,
        },
        occurred_at=now,
    )
    return answer
