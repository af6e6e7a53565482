"""Customer satisfaction ("how did we do?") after a ticket is solved.

The built-in flow ``csat`` (flows/builtin.py) e-mails the question when a ticket is solved. Its
links carry a signed token naming the ticket and the ``ticket.solved`` event the question is
about; the token is signed with the shop in the salt (as the portal's sign-in links are), so a
token of one shop opens nothing in another, and a changed one opens nothing at all. The links
open ``/s/<shop>/csat/<token>/``: a GET only shows the page with the chosen score preselected
(mail scanners and link previews follow GETs), the answer is recorded on POST.

One answer per solving: answering again updates it. A ticket solved again within the shop's
``csat_interval_days`` of its last question is not asked again (the flow's condition
``csat_not_asked_recently``, flows/conditions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersale.service.models import (
    DEFAULT_CSAT_INTERVAL_DAYS,
    CsatAnswer,
    SupportSettings,
    Ticket,
)
from aftersale.timeline import types
from aftersale.timeline.models import Event
from aftersale.timeline.services import record_event

# How long the links in the e-mail work.
LINK_DAYS = 60
MAX_COMMENT = 5000
SCORES = (1, 2, 3, 4, 5)
SCORE_LABELS = {
    1: gettext_lazy("Very poor"),
    2: gettext_lazy("Poor"),
    3: gettext_lazy("OK"),
    4: gettext_lazy("Good"),
    5: gettext_lazy("Excellent"),
}


def _signer(shop_id: int) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"aftersale.service.csat:{shop_id}")


def csat_token(shop_id: int, ticket_id: int, solved_event_id: int) -> str:
    return _signer(shop_id).sign(f"{ticket_id}.{solved_event_id}")


def csat_url(shop, ticket_id: int, solved_event_id: int, score: int | None = None) -> str:
    url = (
        f"{settings.SITE_URL}/s/{shop.slug}/csat/{csat_token(shop.pk, ticket_id, solved_event_id)}/"
    )
    return f"{url}?score={score}" if score else url


def csat_links(shop, ticket_id: int, solved_event_id: int) -> list[dict]:
    """The five one-click answers for the e-mail (labels in the active language)."""
    return [
        {
            "score": score,
            "label": str(SCORE_LABELS[score]),
            "url": csat_url(shop, ticket_id, solved_event_id, score),
        }
        for score in SCORES
    ]


@dataclass(frozen=True)
class Survey:
    """What a valid token is about: the ticket, the solving, and the answer so far."""

    ticket: Ticket
    solved_event: Event
    answer: CsatAnswer | None


def survey_for_token(shop, token: str) -> Survey | None:
    """The survey a token of ``shop`` names, or None if it is forged, of another shop, too
    old, or about a ticket that is gone."""
    try:
        value = _signer(shop.pk).unsign(token, max_age=timedelta(days=LINK_DAYS))
        ticket_id, event_id = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        return None
    ticket = (
        Ticket.objects.for_shop(shop)
        .select_related("shop", "customer", "assignee")
        .filter(pk=ticket_id)
        .first()
    )
    event = (
        Event.objects.filter(
            shop=shop,
            pk=event_id,
            type=types.TICKET_SOLVED,
            subject_type="ticket",
            subject_id=ticket_id,
        ).first()
        if ticket
        else None
    )
    if ticket is None or event is None:
        return None
    answer = CsatAnswer.objects.for_shop(shop).filter(ticket=ticket, solved_event_id=event.pk)
    return Survey(ticket=ticket, solved_event=event, answer=answer.first())


def _agent_id(survey: Survey) -> int | None:
    payload = survey.solved_event.payload or {}
    if "assignee" in payload:
        return payload["assignee"]
    return survey.ticket.assignee_id


def record_answer(shop, survey: Survey, *, score, comment: str = "") -> CsatAnswer:
    """Store the customer's answer (or change it) and put it on the timeline."""
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if score not in SCORES:
        raise ValidationError({"score": _("Choose a score from 1 to 5.")})
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError(
            {"comment": _("Keep the comment under %(count)s characters.") % {"count": MAX_COMMENT}}
        )
    ticket = survey.ticket
    now = timezone.now()
    with transaction.atomic():
        agent_id = _agent_id(survey)
        if agent_id is not None and not get_user_model().objects.filter(pk=agent_id).exists():
            agent_id = None
        answer, created = CsatAnswer.objects.update_or_create(
            ticket=ticket,
            solved_event_id=survey.solved_event.pk,
            defaults={
                "shop": shop,
                "customer_id": ticket.customer_id,
                "agent_id": agent_id,
                "topic": (survey.solved_event.payload or {}).get("topic") or ticket.topic,
                "score": score,
                "comment": comment,
                "answered_at": now,
            },
        )
        record_event(
            shop,
            types.TICKET_CSAT,
            subject=ticket,
            customer=ticket.customer,
            payload={
                "number": ticket.number,
                "score": score,
                "comment": comment,
                "agent": agent_id,
                "topic": answer.topic,
                "changed": not created,
            },
            occurred_at=now,
        )
    return answer


def interval_days(shop_id: int) -> int:
    """Days within which a ticket solved again is not asked about again (0: always ask)."""
    value = (
        SupportSettings.objects.filter(shop_id=shop_id)
        .values_list("csat_interval_days", flat=True)
        .first()
    )
    return DEFAULT_CSAT_INTERVAL_DAYS if value is None else value
