"""Satisfaction survey answers through the API.

* ``GET /survey-answers`` — the shop's answers by update time (cursor pages, ``updated_since``
  for syncing), filtered by when they were answered (``answered_since``, ``answered_before``)
  and by score (``score``, ``min_score``, ``max_score``) and ``scale``.
* ``GET /survey-answers/{id}`` — one answer.

An answer changed by the customer (they answered again) moves to the end of the update order.
Another shop's answer is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Query, Router, Schema
from pydantic import Field

from aftersale.api.pagination import page
from aftersale.api.problems import not_found
from aftersale.api.reads import ListFilters
from aftersale.orders.ingest import Instant
from aftersale.surveys.models import SurveyAnswer


class SurveyAnswerOut(Schema):
    id: int
    scale: str = Field(description="`csat` (scores 1–5) or `nps` (scores 0–10).")
    score: int
    comment: str
    about: str = Field(description="`product`, `delivery`, `other`, or empty if not said.")
    language: str
    customer_external_id: str
    order_external_id: str | None
    shipment_external_id: str | None
    carrier: str | None
    pickup_point_code: str | None
    flow: str | None = Field(description="The key of the flow that asked.")
    ticket_number: int | None = Field(description="The ticket a low score opened, if any.")
    answered_at: datetime
    created_at: datetime
    updated_at: datetime


class SurveyAnswerPage(Schema):
    items: list[SurveyAnswerOut]
    next_cursor: str | None


class SurveyAnswerFilters(ListFilters):
    answered_since: Instant | None = Field(None, description="Only answers given at or after.")
    answered_before: Instant | None = Field(None, description="Only answers given before.")
    scale: Literal["csat", "nps"] | None = None
    score: int | None = Field(None, ge=0, le=10, description="Only answers with this score.")
    min_score: int | None = Field(None, ge=0, le=10)
    max_score: int | None = Field(None, ge=0, le=10)


def answer_out(answer: SurveyAnswer) -> dict:
    shipment = answer.shipment
    return {
        "id": answer.pk,
        "scale": answer.scale,
        "score": answer.score,
        "comment": answer.comment,
        "about": answer.about,
        "language": answer.language,
        "customer_external_id": answer.customer.external_id,
        "order_external_id": answer.order.external_id if answer.order else None,
        "shipment_external_id": shipment.external_id if shipment else None,
        "carrier": shipment.carrier if shipment else None,
        "pickup_point_code": (
            shipment.pickup_point.code if shipment and shipment.pickup_point else None
        ),
        "flow": answer.flow.key if answer.flow else None,
        "ticket_number": answer.ticket.number if answer.ticket else None,
        "answered_at": answer.answered_at,
        "created_at": answer.created_at,
        "updated_at": answer.updated_at,
    }


def _answers(shop):
    return SurveyAnswer.objects.for_shop(shop).select_related(
        "customer", "order", "shipment__pickup_point", "flow", "ticket"
    )


def list_answers(request, filters: Query[SurveyAnswerFilters]):
    answers = _answers(request.shop)
    if filters.answered_since:
        answers = answers.filter(answered_at__gte=filters.answered_since)
    if filters.answered_before:
        answers = answers.filter(answered_at__lt=filters.answered_before)
    if filters.scale:
        answers = answers.filter(scale=filters.scale)
    if filters.score is not None:
        answers = answers.filter(score=filters.score)
    if filters.min_score is not None:
        answers = answers.filter(score__gte=filters.min_score)
    if filters.max_score is not None:
        answers = answers.filter(score__lte=filters.max_score)
    rows, next_cursor = page(
        answers,
        cursor=filters.cursor,
        limit=filters.limit,
        updated_since=filters.updated_since,
        updated_before=filters.updated_before,
    )
    return {"items": [answer_out(row) for row in rows], "next_cursor": next_cursor}


def get_answer(request, answer_id: str):
    if not answer_id.isascii() or not answer_id.isdigit() or len(answer_id) > 18:
        raise not_found()
    answer = _answers(request.shop).filter(pk=int(answer_id)).first()
    if answer is None:
        raise not_found()
    return answer_out(answer)


def add_survey_endpoints(router: Router) -> None:
    router.get(
        "/survey-answers",
        response=SurveyAnswerPage,
        tags=["surveys"],
        summary="The shop's satisfaction survey answers",
    )(list_answers)
    router.get(
        "/survey-answers/{answer_id}",
        response=SurveyAnswerOut,
        tags=["surveys"],
        summary="One survey answer",
    )(get_answer)
