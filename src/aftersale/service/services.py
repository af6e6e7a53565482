"""Changing the service desk: opening hours and targets (at the end), and tickets.

Tickets: this is the only place that writes them. Each function runs in one transaction
and records what happened on the customer's timeline.

Opening and customer messages (contact form, e-mail, API)::

    open_ticket(shop, *, email, name, subject, body, topic, source, customer=None, order=None,
                attachments=(), email_message_id=None, language="") -> Ticket
    add_customer_message(ticket, *, body, attachments=(), email_message_id=None,
                         in_reply_to=None) -> TicketMessage

A replay (the same ``email_message_id`` again) changes nothing and returns what the first
call made. Staff's work on a ticket (replies, notes, states, assignment, merging) follows
below them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from aftersale.core.models import Shop
from aftersale.orders.models import Customer
from aftersale.service import replies
from aftersale.service.attachments import Upload, check_uploads
from aftersale.service.hours import (
    business_calendar,
    forget_opening_status,
    support_targets,
    supported_countries,
)
from aftersale.service.mail_identity import message_id_for
from aftersale.service.models import (
    REOPENED_BY_CUSTOMER,
    OpeningHours,
    Priority,
    ShopClosedDay,
    Source,
    SupportSettings,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketState,
    Topic,
    Weekday,
)
from aftersale.timeline import types
from aftersale.timeline.services import record_event

MAX_SUBJECT = 300
MAX_BODY = 100_000


def _clean_text(body: str, field: str) -> str:
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ValidationError({field: _("Write something here.")})
    return body[:MAX_BODY]


def _next_number(shop: Shop) -> int:
    # Locks the shop row (PostgreSQL) so that two tickets opened at once get two numbers.
    Shop.objects.select_for_update().filter(pk=shop.pk).first()
    highest = Ticket.objects.for_shop(shop).aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


def _save_attachments(message: TicketMessage, uploads: list[Upload]) -> None:
    for upload in uploads:
        attachment = TicketAttachment(
            shop_id=message.shop_id,
            message=message,
            name=(upload.name or "attachment")[:200],
            content_type=upload.content_type.split(";")[0].strip().lower(),
            size=len(upload.content),
        )
        attachment.file.save(upload.name or "attachment", ContentFile(upload.content), save=False)
        attachment.save()


def _existing_message(shop, email_message_id: str | None) -> TicketMessage | None:
    if not email_message_id:
        return None
    return (
        TicketMessage.objects.for_shop(shop)
        .filter(email_message_id=email_message_id)
        .exclude(kind=TicketMessage.Kind.STAFF)
        .select_related("ticket")
        .first()
    )


def due_moments(shop, start: datetime) -> tuple[datetime, datetime]:
    """When a reply and a resolution are due for something that arrived at ``start``, counting
    the shop's business hours (its targets, opening hours, closed days and holidays)."""
    targets = support_targets(shop)
    calendar = business_calendar(shop, targets=targets)
    return (
        calendar.add_business_time(start, timedelta(hours=targets.first_response_hours)),
        calendar.add_business_time(start, timedelta(hours=targets.resolution_hours)),
    )


def _customer_for(shop, email: str) -> Customer | None:
    if not email:
        return None
    return Customer.objects.for_shop(shop).filter(email__iexact=email).order_by("-id").first()


def open_ticket(
    shop,
    *,
    email: str,
    name: str,
    subject: str,
    body: str,
    topic: str,
    source: str,
    customer=None,
    order=None,
    attachments: Iterable[Upload] = (),
    email_message_id: str | None = None,
    language: str = "",
) -> Ticket:
    """A new ticket with the customer's first message (and files), numbered in the shop."""
    uploads = check_uploads(attachments)
    if topic not in Topic.values:
        raise ValidationError({"topic": _("Choose one of the topics.")})
    if source not in Source.values:
        raise ValidationError({"source": _("Unknown source.")})
    if customer is not None and customer.shop_id != shop.pk:
        raise ValidationError({"customer": _("That customer is not in this shop.")})
    if order is not None and (
        order.shop_id != shop.pk or (customer is not None and order.customer_id != customer.pk)
    ):
        raise ValidationError({"order": _("Choose one of the customer's own orders.")})
    email = (email or (customer.email if customer else "")).strip()
    if not email and customer is None:
        raise ValidationError({"email": _("Give an e-mail address we can answer to.")})
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                {"email": _("%(email)s is not an e-mail address.") % {"email": email[:100]}}
            ) from None
    body = _clean_text(body, "body")
    subject = " ".join((subject or "").split())[:MAX_SUBJECT] or body.splitlines()[0][:80]
    with transaction.atomic():
        replayed = _existing_message(shop, email_message_id)
        if replayed is not None:
            return replayed.ticket
        customer = customer or _customer_for(shop, email)
        if order is not None and customer is None:
            customer = order.customer
        now = timezone.now()
        reply_due, resolve_due = due_moments(shop, now)
        ticket = Ticket.objects.create(
            shop=shop,
            number=_next_number(shop),
            customer=customer,
            email=email,
            name=(name or (customer.full_name if customer else "")).strip()[:200],
            language=language or (customer.language if customer else shop.default_language),
            subject=subject,
            topic=topic,
            order=order,
            source=source,
            waiting_since=now,
            reply_due_at=reply_due,
            resolve_due_at=resolve_due,
        )
        message = TicketMessage.objects.create(
            shop=shop,
            ticket=ticket,
            kind=TicketMessage.Kind.CUSTOMER,
            body=body,
            email_message_id=email_message_id or "",
        )
        _save_attachments(message, uploads)
        record_event(
            shop,
            types.TICKET_OPENED,
            subject=ticket,
            customer=customer,
            payload={"number": ticket.number, "topic": topic, "source": source},
            occurred_at=now,
        )
    return ticket


def add_customer_message(
    ticket: Ticket,
    *,
    body: str,
    attachments: Iterable[Upload] = (),
    email_message_id: str | None = None,
    in_reply_to: str | None = None,
) -> TicketMessage:
    """The customer wrote again: the message joins the ticket (the one it was merged into, if
    merged) and a waiting, snoozed or solved ticket opens again."""
    uploads = check_uploads(attachments)
    body = _clean_text(body, "body")
    with transaction.atomic():
        replayed = _existing_message(ticket.shop, email_message_id)
        if replayed is not None:
            return replayed
        ticket = _locked(ticket)
        while ticket.state == TicketState.MERGED and ticket.merged_into_id:
            ticket = _locked(ticket.merged_into)
        now = timezone.now()
        message = TicketMessage.objects.create(
            shop_id=ticket.shop_id,
            ticket=ticket,
            kind=TicketMessage.Kind.CUSTOMER,
            body=body,
            email_message_id=email_message_id or "",
            in_reply_to=in_reply_to or "",
        )
        _save_attachments(message, uploads)
        changed = ["waiting_since", "reply_due_at", "resolve_due_at", "updated_at"]
        if ticket.waiting_since is None:
            ticket.waiting_since = now
            reply_due, resolve_due = due_moments(ticket.shop, now)
            ticket.reply_due_at = reply_due
            if ticket.state == TicketState.SOLVED or ticket.resolve_due_at is None:
                ticket.resolve_due_at = resolve_due
        if ticket.state in REOPENED_BY_CUSTOMER:
            previous = ticket.state
            ticket.state = TicketState.OPEN
            ticket.snoozed_until = None
            ticket.solved_at = None
            changed += ["state", "snoozed_until", "solved_at"]
            _event(ticket, types.TICKET_REOPENED, now, {"from": previous})
        ticket.save(update_fields=changed)
        _event(ticket, types.TICKET_CUSTOMER_REPLIED, now, {"message": message.pk})
    return message


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("shop").get(pk=ticket.pk)


def _event(ticket: Ticket, type: str, now: datetime, payload: dict | None = None) -> None:
    record_event(
        ticket.shop,
        type,
        subject=ticket,
        customer=ticket.customer,
        payload={"number": ticket.number, **(payload or {})},
        occurred_at=now,
    )


# --- Staff's work on a ticket ---------------------------------------------------------------

FINAL_STATES = (TicketState.CLOSED, TicketState.SPAM, TicketState.MERGED)


def _business_seconds(ticket: Ticket, now: datetime) -> int:
    """Business time since the ticket opened (the shop's hours, closed days, holidays)."""
    calendar = business_calendar(ticket.shop)
    return int(calendar.business_time_between(ticket.created_at, now).total_seconds())


def _system_note(ticket: Ticket, text: str, author=None) -> TicketMessage:
    return TicketMessage.objects.create(
        shop_id=ticket.shop_id,
        ticket=ticket,
        kind=TicketMessage.Kind.SYSTEM,
        author=author,
        body=text,
    )


def reply(
    ticket: Ticket,
    *,
    author,
    body: str,
    then: str = TicketState.WAITING,
    email: bool = True,
    files: list[tuple[str, str, bytes]] = (),
) -> TicketMessage:
    """Staff answers the customer: the reply's e-mail to the ticket's address is written to
    the outbox in the same transaction (service/replies.py) and the worker sends it; the
    ticket then waits on the customer (or is solved, ``then``). ``files`` are attached as
    (name, content type, content). ``email=False`` records an answer given elsewhere (the
    demo's, a phone call's) unsent."""
    body = _clean_text(body, "body")
    if then not in (TicketState.WAITING, TicketState.SOLVED, TicketState.OPEN):
        raise ValidationError({"then": _("Choose what happens to the ticket after the reply.")})
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.state in FINAL_STATES:
            raise ValidationError(_("This ticket is closed; open a new one to write again."))
        if not ticket.email:
            raise ValidationError(_("The ticket has no e-mail address to answer to."))
        now = timezone.now()
        message = TicketMessage.objects.create(
            shop_id=ticket.shop_id,
            ticket=ticket,
            kind=TicketMessage.Kind.STAFF,
            author=author,
            body=body,
        )
        message.email_message_id = message_id_for(message)
        attachments = []
        for name, content_type, content in files:
            attachment = TicketAttachment(
                shop_id=ticket.shop_id,
                message=message,
                name=name,
                content_type=content_type,
                size=len(content),
            )
            attachment.file.save(name, ContentFile(content), save=False)
            attachment.save()
            attachments.append(attachment)
        if email:
            message.outbox_message = replies.queue_reply(message, attachments)
        message.save(update_fields=["email_message_id", "outbox_message"])
        first = ticket.first_response_at is None
        if first:
            ticket.first_response_seconds = _business_seconds(ticket, now)
        ticket.first_response_at = ticket.first_response_at or now
        ticket.waiting_since = None
        ticket.reply_due_at = None
        if ticket.assignee_id is None:
            ticket.assignee = author
        ticket.save(
            update_fields=[
                "first_response_at",
                "first_response_seconds",
                "waiting_since",
                "reply_due_at",
                "assignee",
                "updated_at",
            ]
        )
        _event(
            ticket,
            types.TICKET_ANSWERED,
            now,
            {"message": message.pk, "first_response": first, "agent": author.pk},
        )
        if then == TicketState.SOLVED:
            _set_state(ticket, TicketState.SOLVED, author, now)
        elif ticket.state != then:
            ticket.state = then
            ticket.save(update_fields=["state", "updated_at"])
    return message


def send_return_slip(ticket: Ticket, return_request, *, author) -> TicketMessage:
    """E-mail the customer their return's slip again (the PDF the portal prints), as a reply on
    the ticket in the ticket's language, and note it on the ticket. Only a return of the
    ticket's own customer in this shop, while it is being sent back, has a slip to send."""
    from aftersale.returns import slips

    if (
        return_request.shop_id != ticket.shop_id
        or ticket.customer_id is None
        or return_request.customer_id != ticket.customer_id
    ):
        raise ValidationError({"return": _("Choose a return of this ticket's customer.")})
    if return_request.state not in slips.SLIP_STATES:
        raise ValidationError(
            {
                "return": _(
                    "Return %(code)s has no slip to send: it is %(state)s. A slip is for an "
                    "approved return on its way back."
                )
                % {"code": return_request.code, "state": return_request.get_state_display()}
            }
        )
    language = ticket.language or ticket.shop.default_language
    with override(language):
        body = _(
            "Here is the return slip for your return %(code)s again (attached). Print it and "
            "put it in the parcel, or write the return code %(code)s on the parcel."
        ) % {"code": return_request.code}
        pdf = slips.slip_pdf(return_request)
        note = _("%(user)s sent the return slip of return %(code)s again.") % {
            "user": author,
            "code": return_request.code,
        }
    then = ticket.state if ticket.state in (TicketState.WAITING, TicketState.OPEN) else None
    with transaction.atomic():
        message = reply(
            ticket,
            author=author,
            body=body,
            then=then or TicketState.WAITING,
            files=[(f"return-{return_request.code}.pdf", "application/pdf", pdf)],
        )
        _system_note(message.ticket, note, author=author)
    return message


def add_note(ticket: Ticket, *, author, body: str) -> TicketMessage:
    """An internal note: staff only, never e-mailed, never shown to the customer."""
    body = _clean_text(body, "body")
    with transaction.atomic():
        ticket = _locked(ticket)
        message = TicketMessage.objects.create(
            shop_id=ticket.shop_id,
            ticket=ticket,
            kind=TicketMessage.Kind.NOTE,
            author=author,
            body=body,
        )
        ticket.save(update_fields=["updated_at"])
    return message


def _set_state(ticket: Ticket, state: str, actor, now: datetime) -> None:
    previous = ticket.state
    ticket.state = state
    fields = ["state", "updated_at"]
    if state != TicketState.SNOOZED:
        ticket.snoozed_until = None
        fields.append("snoozed_until")
    if state == TicketState.SOLVED:
        ticket.solved_at = now
        ticket.resolution_seconds = _business_seconds(ticket, now)
        ticket.waiting_since = None
        ticket.reply_due_at = None
        fields += ["solved_at", "resolution_seconds", "waiting_since", "reply_due_at"]
    ticket.save(update_fields=fields)
    if state == TicketState.SOLVED and previous != TicketState.SOLVED:
        # Who had the ticket and its topic when it was solved: the satisfaction answer and the
        # desk's figures count it for them even if the ticket is reassigned later.
        _event(
            ticket,
            types.TICKET_SOLVED,
            now,
            {
                "agent": getattr(actor, "pk", None),
                "assignee": ticket.assignee_id,
                "topic": ticket.topic,
            },
        )


def change_state(ticket: Ticket, state: str, *, actor, snoozed_until: datetime | None = None):
    """Open, wait, snooze (until a moment), solve, close or mark as spam."""
    if state not in TicketState.values or state in (TicketState.NEW, TicketState.MERGED):
        raise ValidationError({"state": _("Choose one of the states.")})
    now = timezone.now()
    if state == TicketState.SNOOZED and (snoozed_until is None or snoozed_until <= now):
        raise ValidationError({"snoozed_until": _("Choose a moment in the future.")})
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.state == TicketState.MERGED:
            raise ValidationError(_("This ticket was merged into another one."))
        if state == TicketState.SNOOZED:
            ticket.snoozed_until = snoozed_until
            ticket.save(update_fields=["snoozed_until"])
        if state != ticket.state or state == TicketState.SNOOZED:
            _set_state(ticket, state, actor, now)
            _system_note(
                ticket,
                _("%(user)s set the state to %(state)s.")
                % {"user": actor or _("Aftersale"), "state": TicketState(state).label},
                author=actor,
            )
    return ticket


def assign(ticket: Ticket, assignee, *, actor) -> Ticket:
    """Give the ticket to one of the shop's staff (None: nobody)."""
    from aftersale.core.models import Membership

    if (
        assignee is not None
        and not Membership.objects.filter(shop_id=ticket.shop_id, user=assignee).exists()
    ):
        raise ValidationError({"assignee": _("Choose someone who works in this shop.")})
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.assignee_id != getattr(assignee, "pk", None):
            ticket.assignee = assignee
            ticket.save(update_fields=["assignee", "updated_at"])
            _system_note(
                ticket,
                _("%(user)s assigned the ticket to %(assignee)s.")
                % {"user": actor, "assignee": assignee or _("nobody")},
                author=actor,
            )
    return ticket


def set_priority(ticket: Ticket, priority: str, *, actor) -> Ticket:
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose one of the priorities.")})
    with transaction.atomic():
        ticket = _locked(ticket)
        ticket.priority = priority
        ticket.save(update_fields=["priority", "updated_at"])
    return ticket


def clean_tags(text_or_list) -> list[str]:
    """Tags as staff types them ("delivery, VIP"): lower case, unique, in the order given."""
    items = text_or_list.split(",") if isinstance(text_or_list, str) else text_or_list
    tags: list[str] = []
    for item in items:
        tag = " ".join(str(item).split()).lower()[:40]
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:20]


def set_tags(ticket: Ticket, tags, *, actor) -> Ticket:
    with transaction.atomic():
        ticket = _locked(ticket)
        ticket.tags = clean_tags(tags)
        ticket.save(update_fields=["tags", "updated_at"])
    return ticket


def merge(ticket: Ticket, into: Ticket, *, actor) -> Ticket:
    """Merge ``ticket`` into ``into`` (same shop): its messages move over, it becomes merged,
    and mail threading to it from now on lands on ``into``."""
    if into.shop_id != ticket.shop_id or into.pk == ticket.pk:
        raise ValidationError({"into": _("Choose another ticket of this shop.")})
    with transaction.atomic():
        ticket, into = _locked(ticket), _locked(into)
        if ticket.state == TicketState.MERGED or into.state == TicketState.MERGED:
            raise ValidationError({"into": _("A merged ticket cannot be merged again.")})
        TicketMessage.objects.filter(ticket=ticket).update(ticket=into)
        ticket.state = TicketState.MERGED
        ticket.merged_into = into
        ticket.snoozed_until = None
        ticket.save(update_fields=["state", "merged_into", "snoozed_until", "updated_at"])
        if ticket.waiting_since and (into.waiting_since is None or into.state in FINAL_STATES):
            into.waiting_since = ticket.waiting_since
        if into.state not in (TicketState.NEW, TicketState.OPEN) and ticket.waiting_since:
            into.state = TicketState.OPEN
        into.save(update_fields=["waiting_since", "state", "updated_at"])
        _system_note(
            into,
            _("%(user)s merged ticket #%(number)s into this one.")
            % {"user": actor, "number": ticket.number},
            author=actor,
        )
    return into


def wake_snoozed(now: datetime | None = None) -> int:
    """Snoozed tickets whose moment has come open again (a worker job, every minute)."""
    now = now or timezone.now()
    due = list(
        Ticket.objects.filter(state=TicketState.SNOOZED, snoozed_until__lte=now).values_list(
            "pk", flat=True
        )[:500]
    )
    woken = 0
    for pk in due:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().filter(pk=pk).first()
            if ticket is None or ticket.state != TicketState.SNOOZED:
                continue
            ticket.state = TicketState.OPEN
            ticket.snoozed_until = None
            ticket.save(update_fields=["state", "snoozed_until", "updated_at"])
            _system_note(ticket, _("The snooze ended; the ticket is open again."))
            woken += 1
    return woken


BULK_ACTIONS = ("assign_me", "unassign", "solve", "close", "spam", "open")


def bulk_change(shop, ticket_ids, action: str, *, actor) -> int:
    """One action on many of the shop's tickets at once; tickets of other shops are ignored."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Choose an action.")})
    tickets = list(Ticket.objects.for_shop(shop).filter(pk__in=list(ticket_ids)[:200]))
    with transaction.atomic():
        for ticket in tickets:
            if ticket.state == TicketState.MERGED:
                continue
            if action == "assign_me":
                assign(ticket, actor, actor=actor)
            elif action == "unassign":
                assign(ticket, None, actor=actor)
            else:
                state = {
                    "solve": TicketState.SOLVED,
                    "close": TicketState.CLOSED,
                    "spam": TicketState.SPAM,
                    "open": TicketState.OPEN,
                }[action]
                change_state(ticket, state, actor=actor)
    return len(tickets)


# --- Opening hours, closed days and answer-time targets ---------------------------------------


class HoursError(ValueError):
    """The hours or settings cannot be saved; the message names the day or field and why,
    ``field`` is the setting it is about."""

    def __init__(self, message: str, field: str = "hours"):
        super().__init__(message)
        self.field = field


def _end(closes: time) -> int:
    return (closes.hour * 60 + closes.minute) or 24 * 60


def _forget_status(shop) -> None:
    # Portal pages keep the opening status in the cache; once this change is saved they re-read it.
    transaction.on_commit(lambda: forget_opening_status(shop))


@transaction.atomic
def save_opening_hours(shop, week: dict[int, list[tuple[time, time]]]) -> list[OpeningHours]:
    """Replace the shop's weekly hours: {weekday (0 = Monday): [(opens, closes), …]}.

    ``closes`` at 00:00 is midnight. Days left out are closed. Nothing is saved when any day
    has an interval that ends before it starts or overlaps another."""
    rows = []
    for weekday in sorted(week):
        label = Weekday(weekday).label
        previous_end = -1
        for opens, closes in sorted(week[weekday]):
            start, end = opens.hour * 60 + opens.minute, _end(closes)
            if end <= start:
                raise HoursError(
                    _("%(day)s: %(opens)s–%(closes)s ends before it starts.")
                    % {"day": label, "opens": f"{opens:%H:%M}", "closes": f"{closes:%H:%M}"}
                )
            if start < previous_end:
                raise HoursError(
                    _("%(day)s: the intervals overlap; give each hour only once.") % {"day": label}
                )
            previous_end = end
            rows.append(OpeningHours(shop=shop, weekday=weekday, opens=opens, closes=closes))
    OpeningHours.objects.for_shop(shop).delete()
    _forget_status(shop)
    return OpeningHours.objects.bulk_create(rows)


@transaction.atomic
def add_closed_day(shop, day: date, name: str = "") -> ShopClosedDay:
    """Close the desk on ``day`` (saving it again renames it)."""
    closed, _created = ShopClosedDay.objects.update_or_create(
        shop=shop, date=day, defaults={"name": name.strip()[:100]}
    )
    _forget_status(shop)
    return closed


@transaction.atomic
def remove_closed_day(shop, closed_day_id: int) -> bool:
    deleted, _rows = ShopClosedDay.objects.for_shop(shop).filter(pk=closed_day_id).delete()
    _forget_status(shop)
    return bool(deleted)


@transaction.atomic
def save_support_settings(
    shop,
    *,
    first_response_hours: int,
    resolution_hours: int,
    holiday_countries: list[str],
    csat_interval_days: int | None = None,
) -> SupportSettings:
    """Save the answer-time targets (business hours), whose public holidays close the desk and
    after how many days a ticket solved again is asked "how did we do?" again (None: keep)."""
    countries = []
    known = supported_countries()
    for code in holiday_countries:
        code = code.strip().upper()
        if not code:
            continue
        if code not in known:
            raise HoursError(
                _("%(code)s is not a country with known public holidays; use codes like FI or SE.")
                % {"code": code},
                field="holiday_countries",
            )
        if code not in countries:
            countries.append(code)
    if first_response_hours < 1 or resolution_hours < 1:
        raise HoursError(
            _("Targets are whole business hours, at least 1."), field="first_response_hours"
        )
    if resolution_hours < first_response_hours:
        raise HoursError(
            _("The resolution target cannot be shorter than the first response."),
            field="resolution_hours",
        )
    defaults = {
        "first_response_hours": first_response_hours,
        "resolution_hours": resolution_hours,
        "holiday_countries": countries,
    }
    if csat_interval_days is not None:
        if not 0 <= csat_interval_days <= 365:
            raise HoursError(
                _("Give the days as a whole number from 0 to 365."), field="csat_interval_days"
            )
        defaults["csat_interval_days"] = csat_interval_days
    settings, _created = SupportSettings.objects.update_or_create(shop=shop, defaults=defaults)
    _forget_status(shop)
    return settings
