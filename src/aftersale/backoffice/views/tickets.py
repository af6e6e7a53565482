"""The service desk inbox: ticket lists by view, one ticket with the customer's orders beside
it, replies with canned texts and a preview, and the shop's canned replies."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersale.backoffice.access import shop_required
from aftersale.backoffice.pagination import page_of
from aftersale.core.models import Membership
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.delivery.models import Shipment
from aftersale.flows import operations
from aftersale.flows.operations import NotPossible
from aftersale.insights.selectors import customer_value
from aftersale.orders.models import Order
from aftersale.returns.models import ReturnRequest, Withdrawal
from aftersale.returns.photos import photo_response
from aftersale.returns.slips import SLIP_STATES
from aftersale.service import canned, services
from aftersale.service.hours import business_calendar
from aftersale.service.models import (
    ACTIVE_STATES,
    CannedReply,
    CsatAnswer,
    Priority,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketState,
    Topic,
)

VIEWS = [
    ("open", gettext_lazy("Open")),
    ("mine", gettext_lazy("Mine")),
    ("unassigned", gettext_lazy("Unassigned")),
    ("breaching", gettext_lazy("Breaching target")),
    ("waiting", gettext_lazy("Waiting on customer")),
    ("snoozed", gettext_lazy("Snoozed")),
    ("solved", gettext_lazy("Solved")),
    ("all", gettext_lazy("All")),
]
SOON = timedelta(hours=1)


class InboxFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Number, subject or e-mail"), required=False)
    topic = forms.ChoiceField(
        label=gettext_lazy("Topic"),
        required=False,
        choices=[("", gettext_lazy("Any topic")), *Topic.choices],
    )


def inbox_tickets(shop, view: str, user, now: datetime, data: dict):
    tickets = Ticket.objects.for_shop(shop).select_related("assignee", "customer")
    unresolved = [TicketState.NEW, TicketState.OPEN]
    if view == "mine":
        tickets = tickets.filter(assignee=user, state__in=[*unresolved, TicketState.WAITING])
    elif view == "unassigned":
        tickets = tickets.filter(assignee__isnull=True, state__in=unresolved)
    elif view == "breaching":
        tickets = tickets.filter(state__in=unresolved).filter(
            Q(reply_due_at__lt=now) | Q(resolve_due_at__lt=now)
        )
    elif view == "waiting":
        tickets = tickets.filter(state=TicketState.WAITING)
    elif view == "snoozed":
        tickets = tickets.filter(state=TicketState.SNOOZED)
    elif view == "solved":
        tickets = tickets.filter(state__in=[TicketState.SOLVED, TicketState.CLOSED])
    elif view == "open":
        tickets = tickets.filter(state__in=unresolved)
    if data.get("topic"):
        tickets = tickets.filter(topic=data["topic"])
    query = (data.get("q") or "").strip()
    if query:
        if query.lstrip("#").isdigit():
            tickets = tickets.filter(number=int(query.lstrip("#")))
        else:
            tickets = tickets.filter(Q(email__iexact=query) | Q(subject__icontains=query))
    if view in ("open", "mine", "unassigned", "breaching"):
        return tickets.order_by("reply_due_at", "-updated_at", "-id")
    return tickets.order_by("-updated_at", "-id")


def due_text(ticket: Ticket, now: datetime, calendar) -> tuple[str, str]:
    """The answer-time warning for a ticket that needs staff: ("bad"|"warn"|"", text)."""
    if ticket.state not in ACTIVE_STATES or ticket.reply_due_at is None:
        return "", ""
    if ticket.reply_due_at < now:
        late = calendar.business_time_between(ticket.reply_due_at, now)
        return "bad", _("Reply overdue by %(time)s of business time") % {"time": _hours(late)}
    left = calendar.business_time_between(now, ticket.reply_due_at)
    level = "warn" if left <= SOON else ""
    return level, _("Reply due in %(time)s of business time") % {"time": _hours(left)}


def _hours(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


@require_GET
@shop_required
def inbox(request):
    shop = request.shop
    now = timezone.now()
    view = request.GET.get("view", "open")
    if view not in dict(VIEWS):
        view = "open"
    form = InboxFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = page_of(request, inbox_tickets(shop, view, request.user, now, data))
    calendar = business_calendar(shop)
    rows = [(ticket, *due_text(ticket, now, calendar)) for ticket in page.object_list]
    return render(
        request,
        "backoffice/tickets/inbox.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "views": VIEWS,
            "view": view,
            "bulk_actions": BULK_LABELS,
        },
    )


BULK_LABELS = [
    ("assign_me", gettext_lazy("Assign to me")),
    ("unassign", gettext_lazy("Unassign")),
    ("solve", gettext_lazy("Solve")),
    ("close", gettext_lazy("Close")),
    ("spam", gettext_lazy("Mark as spam")),
    ("open", gettext_lazy("Open again")),
]


@require_POST
@shop_required
def bulk(request):
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    action = request.POST.get("action", "")
    if not ids:
        messages.error(request, _("Tick the tickets to change first."))
    else:
        try:
            count = services.bulk_change(request.shop, ids, action, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Changed %(count)s tickets.") % {"count": count})
    return redirect(_back(request, reverse("backoffice:tickets")))


def _back(request, default: str) -> str:
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return back
    return default


# --- One ticket -------------------------------------------------------------------------


class ReplyForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Reply"), widget=forms.Textarea(attrs={"rows": 8}))
    then = forms.ChoiceField(
        label=gettext_lazy("After sending"),
        choices=[
            (TicketState.WAITING, gettext_lazy("Wait on the customer")),
            (TicketState.SOLVED, gettext_lazy("Solve the ticket")),
            (TicketState.OPEN, gettext_lazy("Keep it open")),
        ],
        initial=TicketState.WAITING,
    )


def _customer_panel(shop, ticket: Ticket) -> dict:
    """The customer's recent orders with their parcels, returns and withdrawals, and value."""
    customer = ticket.customer
    if customer is None:
        orders = [ticket.order] if ticket.order_id else []
    else:
        orders = list(
            Order.objects.for_shop(shop).filter(customer=customer).order_by("-placed_at", "-id")[:5]
        )
        if ticket.order_id and ticket.order_id not in {order.pk for order in orders}:
            orders.insert(0, ticket.order)
    order_ids = [order.pk for order in orders]
    shipments: dict[int, list] = {}
    for shipment in Shipment.objects.for_shop(shop).filter(order_id__in=order_ids):
        shipments.setdefault(shipment.order_id, []).append(shipment)
    returns: dict[int, list] = {}
    for request in ReturnRequest.objects.for_shop(shop).filter(order_id__in=order_ids):
        returns.setdefault(request.order_id, []).append(request)
    withdrawals: dict[int, list] = {}
    for withdrawal in Withdrawal.objects.for_shop(shop).filter(order_id__in=order_ids):
        withdrawals.setdefault(withdrawal.order_id, []).append(withdrawal)
    return {
        "orders": [
            {
                "order": order,
                "shipments": shipments.get(order.pk, []),
                "returns": returns.get(order.pk, []),
                "withdrawals": withdrawals.get(order.pk, []),
            }
            for order in orders
        ],
        "value": customer_value(shop, customer) if customer else None,
    }


def _ticket_page(request, ticket: Ticket, reply_form=None, preview: str = "", status=200):
    shop = request.shop
    now = timezone.now()
    thread = list(
        TicketMessage.objects.for_shop(shop)
        .filter(ticket=ticket)
        .select_related("author", "outbox_message")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    language = ticket.language if ticket.language in shop.languages else shop.default_language
    staff = Membership.objects.for_shop(shop).select_related("user").order_by("user__username")
    level, warning = due_text(ticket, now, business_calendar(shop))
    return render(
        request,
        "backoffice/tickets/detail.html",
        {
            "ticket": ticket,
            "thread": thread,
            "retryable": list(operations.RETRYABLE),
            "reply_form": reply_form or ReplyForm(),
            "preview": preview,
            "canned_replies": canned.canned_replies(shop, language),
            "staff": [membership.user for membership in staff],
            "states": [
                (value, label)
                for value, label in TicketState.choices
                if value not in (TicketState.NEW, TicketState.MERGED)
            ],
            "priorities": Priority.choices,
            "due_level": level,
            "due_warning": warning,
            "variables": canned.VARIABLES,
            "final": ticket.state in services.FINAL_STATES,
            "slip_states": SLIP_STATES,
            "csat_answers": list(
                CsatAnswer.objects.for_shop(shop).filter(ticket=ticket).select_related("agent")
            ),
            **_customer_panel(shop, ticket),
        },
        status=status,
    )


def _ticket(request, ticket_id: int) -> Ticket:
    return get_for_shop_or_404(
        Ticket.objects.select_related("customer", "order", "assignee", "shop", "merged_into"),
        request.shop,
        pk=ticket_id,
    )


@require_http_methods(["GET", "POST"])
@shop_required
def detail(request, ticket_id: int):
    """The ticket; POST previews or sends a reply, or inserts a canned reply into it."""
    ticket = _ticket(request, ticket_id)
    if request.method == "GET":
        return _ticket_page(request, ticket)
    shop = request.shop
    language = ticket.language if ticket.language in shop.languages else shop.default_language
    if "insert" in request.POST:
        chosen = canned.canned_replies(shop).filter(pk=request.POST.get("canned") or 0).first()
        body = request.POST.get("body", "")
        if chosen is not None:
            body = f"{body.rstrip()}\n\n{chosen.body}".strip() if body.strip() else chosen.body
        form = ReplyForm(initial={"body": body, "then": request.POST.get("then")})
        return _ticket_page(request, ticket, form)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _ticket_page(request, ticket, form, status=400)
    try:
        text = canned.render_reply(
            form.cleaned_data["body"], canned.reply_context(ticket, language)
        )
        if "preview" in request.POST:
            return _ticket_page(request, ticket, form, preview=text)
        services.reply(ticket, author=request.user, body=text, then=form.cleaned_data["then"])
    except ValidationError as error:
        for message in error.messages:
            form.add_error("body", message)
        return _ticket_page(request, ticket, form, status=400)
    messages.success(request, _("Reply sent to %(email)s.") % {"email": ticket.email})
    return redirect("backoffice:ticket_detail", ticket.pk)


@require_POST
@shop_required
def note(request, ticket_id: int):
    ticket = _ticket(request, ticket_id)
    try:
        services.add_note(ticket, author=request.user, body=request.POST.get("note", ""))
    except ValidationError:
        messages.error(request, _("Write the note first."))
    else:
        messages.success(request, _("Note added."))
    return redirect("backoffice:ticket_detail", ticket.pk)


def _snooze_until(shop, text: str) -> datetime | None:
    """A date (the shop's 9:00 on it) or a date and time typed in the shop's time zone."""
    zone = ZoneInfo(shop.time_zone)
    for form_field in (forms.DateTimeField(), forms.DateField()):
        try:
            value = form_field.clean(text)
        except ValidationError:
            continue
        if isinstance(value, datetime):
            return value if timezone.is_aware(value) else value.replace(tzinfo=zone)
        return datetime.combine(value, time(9, 0), tzinfo=zone)
    return None


@require_POST
@shop_required
def send_slip(request, ticket_id: int, return_id: int):
    """E-mail the customer a return's slip again, from the ticket."""
    ticket = _ticket(request, ticket_id)
    return_request = get_for_shop_or_404(ReturnRequest.objects.all(), request.shop, pk=return_id)
    try:
        services.send_return_slip(ticket, return_request, author=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The return slip of %(code)s is on its way to %(email)s.")
            % {"code": return_request.code, "email": ticket.email},
        )
    return redirect("backoffice:ticket_detail", ticket.pk)


@require_POST
@shop_required
def change(request, ticket_id: int):
    """State, assignee, priority, tags or merging, one form each on the ticket page."""
    ticket = _ticket(request, ticket_id)
    shop = request.shop
    what = request.POST.get("what", "")
    try:
        if what == "state":
            state = request.POST.get("state", "")
            until = _snooze_until(shop, request.POST.get("snoozed_until", ""))
            services.change_state(ticket, state, actor=request.user, snoozed_until=until)
        elif what == "assignee":
            user_id = request.POST.get("assignee", "")
            member = (
                Membership.objects.for_shop(shop).filter(user_id=user_id).select_related("user")
            ).first()
            if user_id and member is None:
                raise ValidationError({"assignee": _("Choose someone who works in this shop.")})
            services.assign(ticket, member.user if member else None, actor=request.user)
        elif what == "priority":
            services.set_priority(ticket, request.POST.get("priority", ""), actor=request.user)
        elif what == "tags":
            services.set_tags(ticket, request.POST.get("tags", ""), actor=request.user)
        elif what == "merge":
            number = request.POST.get("into", "").strip().lstrip("#")
            into = (
                Ticket.objects.for_shop(shop).filter(number=int(number)).first()
                if (number.isdigit())
                else None
            )
            if into is None:
                raise ValidationError({"into": _("No ticket with that number in this shop.")})
            ticket = services.merge(ticket, into, actor=request.user)
        else:
            raise ValidationError(_("Unknown change."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Ticket updated."))
    return redirect("backoffice:ticket_detail", ticket.pk)


@require_POST
@shop_required
def retry(request, ticket_id: int, ticket_message_id: int):
    ticket = _ticket(request, ticket_id)
    message = get_for_shop_or_404(
        TicketMessage.objects, request.shop, pk=ticket_message_id, ticket=ticket
    )
    try:
        if message.outbox_message_id is None:
            raise NotPossible(_("the reply is not e-mailed"))
        operations.retry_message(request.shop, message.outbox_message_id, by=request.user)
    except NotPossible as error:
        messages.error(request, _("The reply was left as it is: %(reason)s.") % {"reason": error})
    else:
        messages.success(request, _("The reply will be sent again."))
    return redirect("backoffice:ticket_detail", ticket.pk)


@require_GET
@shop_required
def attachment(request, ticket_id: int, attachment_id: int):
    ticket = _ticket(request, ticket_id)
    item = get_for_shop_or_404(
        TicketAttachment.objects, request.shop, pk=attachment_id, message__ticket=ticket
    )
    response = photo_response(item)
    if not item.content_type.startswith("image/"):
        response["Content-Disposition"] = "attachment"
    return response


# --- Canned replies ---------------------------------------------------------------------


class CannedReplyForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Variables in double braces, e.g. {{ customer_first_name }}."),
    )

    def __init__(self, shop, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(code, code.upper()) for code in shop.languages]


@require_http_methods(["GET", "POST"])
@shop_required
def canned_list(request, reply_id: int | None = None):
    """The shop's canned replies and a form to add one (or change ``reply_id``), with a
    preview rendered with example values."""
    shop = request.shop
    reply = get_for_shop_or_404(CannedReply.objects, shop, pk=reply_id) if reply_id else None
    initial = {"language": shop.default_language}
    if reply is not None:
        initial = {"language": reply.language, "title": reply.title, "body": reply.body}
    form = CannedReplyForm(shop, request.POST or None, initial=initial)
    preview = ""
    status = 200
    if request.method == "POST":
        if "delete" in request.POST and reply is not None:
            canned.delete_canned_reply(shop, reply.pk)
            messages.success(request, _("Canned reply deleted."))
            return redirect("backoffice:canned_replies")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if "preview" in request.POST:
                    sample = canned.sample_reply_context(shop, data["language"])
                    preview = canned.render_reply(data["body"], sample)
                else:
                    canned.save_canned_reply(shop, reply=reply, **data)
                    messages.success(request, _("Canned reply saved."))
                    return redirect("backoffice:canned_replies")
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
        if not form.is_valid() or form.errors:
            status = 400
    return render(
        request,
        "backoffice/tickets/canned.html",
        {
            "replies": canned.canned_replies(shop),
            "form": form,
            "reply": reply,
            "preview": preview,
            "variables": canned.VARIABLES,
        },
        status=status,
    )
