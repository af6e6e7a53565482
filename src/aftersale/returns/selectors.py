"""Reads about returns: a return's timeline and the photos of its lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aftersale.returns.models import ReturnPhoto, ReturnRequest, ReturnState
from aftersale.timeline.models import Event


@dataclass(frozen=True)
class TimelineEntry:
    state: str
    label: str
    at: datetime
    payload: dict


def return_timeline(return_request: ReturnRequest) -> list[TimelineEntry]:
    """Every state the return has been in, oldest first, from its timeline events."""
    events = Event.objects.for_shop(return_request.shop_id).about(
        "returnrequest", return_request.pk
    )
    entries = []
    for event in events.filter(type__startswith="return.").order_by("occurred_at", "id"):
        state = event.type.removeprefix("return.")
        if state not in ReturnState.values:
            continue
        entries.append(
            TimelineEntry(
                state=state,
                label=str(ReturnState(state).label),
                at=event.occurred_at,
                payload=event.payload,
            )
        )
    return entries


def photos_of(return_request: ReturnRequest):
    return ReturnPhoto.objects.for_shop(return_request.shop_id).filter(
        return_line__return_request=return_request
    )
