"""Support tickets through the API: a shop's chat or phone system pushes contacts in, and any
system reads the tickets and their messages.

* ``GET /tickets`` — the shop's tickets by update time (cursor pages, ``updated_since``,
  ``state``); ``GET /tickets/{number}`` — one ticket.
* ``GET /tickets/{number}/messages`` — its messages, oldest first (internal notes included,
  marked ``note``).
* ``POST /tickets`` — open a ticket (source ``api``); ``Idempotency-Key`` makes a retry safe.
* ``POST /tickets/{number}/messages`` — add what the customer said (``customer``, reopens a
  waiting or solved ticket) or an internal note (``note``).

Another shop's ticket is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import AfterValidator, Field

from aftersale.api.idempotency import idempotent
from aftersale.api.pagination import page
from aftersale.api.problems import Problem, invalid_fields, not_found
from aftersale.api.reads import ListFilters
from aftersale.orders.ingest import ExternalId, Payload, clean_text, text
from aftersale.orders.models import Customer, Order
from aftersale.orders.payloads import EMAIL_PATTERN, _email
from aftersale.service import services
from aftersale.service.models import CsatAnswer, Source, Ticket, TicketMessage, TicketState


class CsatOut(Schema):
    score: int
    comment: str
    agent: str | None
    answered_at: datetime


class TicketOut(Schema):
    number: int
    state: str
    topic: str
    source: str
    priority: str
    subject: str
    email: str
    name: str
    language: str
    customer_external_id: str | None
    order_external_id: str | None
    assignee: str | None
    tags: list[str]
    snoozed_until: datetime | None
    merged_into: int | None
    first_response_at: datetime | None
    solved_at: datetime | None
    reply_due_at: datetime | None
    resolve_due_at: datetime | None
    csat: CsatOut | None
    created_at: datetime
    updated_at: datetime


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class MessageOut(Schema):
    id: int
    kind: str
    author: str | None
    body: str
    attachments: list[dict]
    delivery: str
    created_at: datetime


class MessagePage(Schema):
    items: list[MessageOut]


# An address Django's validator takes (orders.payloads.EMAIL_PATTERN without the empty one).
RequiredEmail = Annotated[
    str,
    Field(max_length=254, json_schema_extra={"pattern": EMAIL_PATTERN.removeprefix("^$|")}),
    AfterValidator(clean_text),
    AfterValidator(_email),
]


class TicketIn(Payload):
    email: RequiredEmail = Field(description="Where answers go.")
    name: text(200) = ""  # type: ignore[valid-type]
    subject: text(300, min_length=1)  # type: ignore[valid-type]
    body: text(100_000, min_length=1) = Field(description="What the customer said.")  # type: ignore[valid-type]
    topic: Literal["order", "delivery", "return", "product", "other"] = "other"
    language: Literal["fi", "sv", "en", ""] = ""
    customer_external_id: ExternalId | None = None
    order_external_id: ExternalId | None = None


class MessageIn(Payload):
    body: text(100_000, min_length=1)  # type: ignore[valid-type]
    kind: Literal["customer", "note"] = "customer"


class TicketFilters(ListFilters):
    state: Literal[tuple(TicketState.values)] | None = Field(None)  # type: ignore[valid-type]


def ticket_out(ticket: Ticket) -> dict:
    return {
        "number": ticket.number,
        "state": ticket.state,
        "topic": ticket.topic,
        "source": ticket.source,
        "priority": ticket.priority,
        "subject": ticket.subject,
        "email": ticket.email,
        "name": ticket.name,
        "language": ticket.language,
        "customer_external_id": ticket.customer.external_id if ticket.customer else None,
        "order_external_id": ticket.order.external_id if ticket.order else None,
        "assignee": ticket.assignee.get_username() if ticket.assignee else None,
        "tags": list(ticket.tags or []),
        "snoozed_until": ticket.snoozed_until,
        "merged_into": ticket.merged_into.number if ticket.merged_into else None,
        "first_response_at": ticket.first_response_at,
        "solved_at": ticket.solved_at,
        "reply_due_at": ticket.reply_due_at,
        "resolve_due_at": ticket.resolve_due_at,
        "csat": _csat_out(ticket),
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }


def _csat_out(ticket: Ticket) -> dict | None:
    """The latest satisfaction answer (after the latest solving the customer answered)."""
    answers = sorted(ticket.csat_answers.all(), key=lambda a: (a.solved_event_id, a.pk))
    if not answers:
        return None
    answer = answers[-1]
    return {
        "score": answer.score,
        "comment": answer.comment,
        "agent": answer.agent.get_username() if answer.agent else None,
        "answered_at": answer.answered_at,
    }


def message_out(message: TicketMessage) -> dict:
    return {
        "id": message.pk,
        "kind": message.kind,
        "author": message.author.get_username() if message.author else None,
        "body": message.body,
        "attachments": [
            {"name": item.name, "content_type": item.content_type, "size": item.size}
            for item in message.attachments.all()
        ],
        "delivery": message.delivery,
        "created_at": message.created_at,
    }


def _tickets(shop):
    return (
        Ticket.objects.for_shop(shop)
        .select_related("customer", "order", "assignee", "merged_into")
        .prefetch_related(
            Prefetch("csat_answers", queryset=CsatAnswer.objects.select_related("agent"))
        )
    )


def _ticket(shop, number: str | int) -> Ticket:
    text = str(number)
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise not_found()
    ticket = _tickets(shop).filter(number=int(text)).first()
    if ticket is None:
        raise not_found()
    return ticket


def list_tickets(request, filters: Query[TicketFilters]):
    tickets = _tickets(request.shop)
    if filters.state:
        tickets = tickets.filter(state=filters.state)
    rows, next_cursor = page(
        tickets,
        cursor=filters.cursor,
        limit=filters.limit,
        updated_since=filters.updated_since,
        updated_before=filters.updated_before,
    )
    return {"items": [ticket_out(row) for row in rows], "next_cursor": next_cursor}


def get_ticket(request, number: str):
    return ticket_out(_ticket(request.shop, number))


def list_messages(request, number: str):
    ticket = _ticket(request.shop, number)
    messages = (
        TicketMessage.objects.for_shop(request.shop)
        .filter(ticket=ticket)
        .select_related("author", "outbox_message")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    return {"items": [message_out(message) for message in messages]}


def _by_external_id(model, shop, external_id: str | None, name: str):
    if external_id is None:
        return None
    row = model.objects.for_shop(shop).filter(external_id=external_id.replace("\x00", "")).first()
    if row is None:
        raise Problem(
            404,
            _("Unknown reference"),
            _("The objects named in errors are not in this shop; send them first."),
            kind="unknown-reference",
            errors=[{"pointer": f"/{name}", "detail": _("is not in this shop")}],
        )
    return row


def _refused(error: ValidationError):
    fields = getattr(error, "message_dict", {"body": error.messages})
    return invalid_fields(
        [
            {"pointer": f"/{field}", "detail": " ".join(messages)}
            for field, messages in fields.items()
        ]
    )


def open_ticket(request, payload: TicketIn):
    shop = request.shop

    def handle():
        customer = _by_external_id(
            Customer, shop, payload.customer_external_id, "customer_external_id"
        )
        order = _by_external_id(Order, shop, payload.order_external_id, "order_external_id")
        try:
            ticket = services.open_ticket(
                shop,
                email=payload.email,
                name=payload.name,
                subject=payload.subject,
                body=payload.body,
                topic=payload.topic,
                source=Source.API,
                customer=customer,
                order=order,
                language=payload.language,
            )
        except ValidationError as error:
            raise _refused(error) from None
        return 201, TicketOut.model_validate(ticket_out(_ticket(shop, ticket.number))).model_dump(
            mode="json"
        )

    return idempotent(request, handle)


def add_message(request, number: str, payload: MessageIn):
    shop = request.shop
    ticket = _ticket(shop, number)

    def handle():
        try:
            if payload.kind == "note":
                message = services.add_note(ticket, author=None, body=payload.body)
            else:
                message = services.add_customer_message(ticket, body=payload.body)
        except ValidationError as error:
            raise _refused(error) from None
        return 201, MessageOut.model_validate(message_out(message)).model_dump(mode="json")

    return idempotent(request, handle)


def add_ticket_endpoints(router: Router) -> None:
    router.get(
        "/tickets", response=TicketPage, tags=["tickets"], summary="The shop's support tickets"
    )(list_tickets)
    router.post(
        "/tickets",
        response={201: TicketOut},
        tags=["tickets"],
        summary="Open a ticket (a contact from chat, phone or another system)",
    )(open_ticket)
    router.get("/tickets/{number}", response=TicketOut, tags=["tickets"], summary="One ticket")(
        get_ticket
    )
    router.get(
        "/tickets/{number}/messages",
        response=MessagePage,
        tags=["tickets"],
        summary="A ticket's messages, oldest first",
    )(list_messages)
    router.post(
        "/tickets/{number}/messages",
        response={201: MessageOut},
        tags=["tickets"],
        summary="Add the customer's words or an internal note to a ticket",
    )(add_message)
