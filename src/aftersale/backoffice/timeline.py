"""How the back-office tells a timeline event in one line: a describer registry.

Each event type has a describer (event -> translated one-line text); each subject type has a
linker that loads the subjects of many events at once (shop, ids -> {id: Subject}) so that a
timeline of hundreds of events costs one query per subject type. Other areas register their own:

    from aftersale.backoffice.timeline import describe_type, register_subject

    describe_type("ticket.opened", lambda event: _("Ticket opened"))
    register_subject("ticket", lambda shop, ids: {...})

An event type without a describer is still shown, by its type name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersale.delivery.models import Shipment
from aftersale.insights.models import RfmSegment, ValueSegment
from aftersale.orders.models import Customer, Order, Payment, Refund
from aftersale.returns.models import ReturnRequest
from aftersale.reviews.models import Review, ReviewRequest
from aftersale.service.models import Ticket
from aftersale.timeline import types
from aftersale.timeline.models import Event


@dataclass(frozen=True)
class Subject:
    """What an event is about, as a link label and the page to open (``url`` may be empty)."""

    label: str
    url: str = ""


@dataclass(frozen=True)
class DescribedEvent:
    event: Event
    text: str
    subject: Subject | None


Describer = Callable[[Event], str]
SubjectLoader = Callable[[object, list[int]], dict[int, Subject]]

_describers: dict[str, Describer] = {}
_labels: dict[str, object] = {}
_subject_loaders: dict[str, SubjectLoader] = {}


def describe_type(event_type: str, describer: Describer | str, *, label: object = None) -> None:
    """Register how events of ``event_type`` read; a (lazy) string is used as it is.

    ``label`` names the type itself (the flow editor's triggers and exit events); a string
    describer is its own label.
    """
    if callable(describer):
        _describers[event_type] = describer
    else:
        _describers[event_type] = lambda event, text=describer: str(text)
        label = label or describer
    if label:
        _labels[event_type] = label


def type_label(event_type: str) -> str:
    """The human name of an event type in the active language (the type itself if unnamed)."""
    label = _labels.get(event_type)
    return str(label) if label else event_type


def register_subject(subject_type: str, loader: SubjectLoader) -> None:
    """Register how subjects of ``subject_type`` (a model name) become links."""
    _subject_loaders[subject_type] = loader


def describe(event: Event) -> str:
    describer = _describers.get(event.type)
    if describer is None:
        return event.type
    try:
        return describer(event)
    except (KeyError, TypeError, ValueError):
        return event.type


def describe_events(shop, events: Iterable[Event]) -> list[DescribedEvent]:
    """The events with their text and subject link, loading subjects in one query per type."""
    events = list(events)
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.subject_type in _subject_loaders:
            wanted[event.subject_type].add(event.subject_id)
    subjects = {
        subject_type: _subject_loaders[subject_type](shop, sorted(ids))
        for subject_type, ids in wanted.items()
    }
    return [
        DescribedEvent(
            event=event,
            text=describe(event),
            subject=subjects.get(event.subject_type, {}).get(event.subject_id),
        )
        for event in events
    ]


# Subjects of the core domain -------------------------------------------------------------


def _order_url(order_id: int, anchor: str = "") -> str:
    url = reverse("backoffice:order_detail", args=[order_id])
    return f"{url}#{anchor}" if anchor else url


def _orders(shop, ids):
    rows = Order.objects.for_shop(shop).filter(pk__in=ids).values_list("pk", "number")
    return {pk: Subject(f"#{number}", _order_url(pk)) for pk, number in rows}


def _customers(shop, ids):
    rows = (
        Customer.objects.for_shop(shop)
        .filter(pk__in=ids)
        .only("pk", "first_name", "last_name", "email", "external_id")
    )
    return {c.pk: Subject(str(c), reverse("backoffice:customer_detail", args=[c.pk])) for c in rows}


def _via_order(model, anchor: Callable[[dict], str], label: Callable[[dict], str]):
    def load(shop, ids):
        rows = (
            model.objects.for_shop(shop)
            .filter(pk__in=ids)
            .values("pk", "order_id", "order__number", *_LABEL_FIELDS[model])
        )
        return {
            row["pk"]: Subject(
                f"#{row['order__number']} · {label(row)}",
                _order_url(row["order_id"], anchor(row)),
            )
            for row in rows
        }

    return load


_LABEL_FIELDS = {
    Shipment: ("carrier", "tracking_number"),
    ReturnRequest: ("code",),
    Payment: ("method",),
    Refund: ("reason",),
    ReviewRequest: (),
}

register_subject("order", _orders)
register_subject("customer", _customers)
register_subject(
    "shipment",
    _via_order(
        Shipment,
        lambda r: f"shipment-{r['pk']}",
        lambda r: f"{r['carrier']} {r['tracking_number']}".strip(),
    ),
)
register_subject(
    "returnrequest", _via_order(ReturnRequest, lambda r: f"return-{r['pk']}", lambda r: r["code"])
)
register_subject("payment", _via_order(Payment, lambda r: "payments", lambda r: _("payment")))


def _tickets(shop, ids):
    rows = Ticket.objects.for_shop(shop).filter(pk__in=ids).values_list("pk", "number")
    return {
        pk: Subject(f"#{number}", reverse("backoffice:ticket_detail", args=[pk]))
        for pk, number in rows
    }


register_subject("ticket", _tickets)
register_subject("refund", _via_order(Refund, lambda r: "refunds", lambda r: _("refund")))


# Descriptions of the canonical event types ------------------------------------------------


def _consent(event: Event) -> str:
    if event.payload.get("marketing_consent") is False:
        return _("Marketing consent withdrawn")
    if event.payload.get("marketing_consent") is True:
        return _("Marketing consent given")
    return _("Marketing consent changed")


SEGMENT_LABELS = {**dict(RfmSegment.choices), **dict(ValueSegment.choices)}


def _segment(event: Event) -> str:
    segment = event.payload.get("segment") or ""
    if not segment:
        return _("Moved to another customer segment")
    label = SEGMENT_LABELS.get(segment, segment)
    return _("Moved to the segment “%(segment)s”") % {"segment": label}


def _message(text) -> Describer:
    def describer(event: Event) -> str:
        subject = event.payload.get("subject") or event.payload.get("template") or ""
        return f"{text}: {subject}" if subject else str(text)

    return describer


def _failed_message(event: Event) -> str:
    """A message the worker gave up on, with the server's or provider's reply."""
    text = _message(gettext_lazy("Message not delivered"))(event)
    reason = event.payload.get("reason") or ""
    return f"{text} ({reason})" if reason else text


for _type, _text in {
    types.CUSTOMER_CREATED: gettext_lazy("Customer added"),
    types.CUSTOMER_LAPSING: gettext_lazy("Customer is lapsing (win-back moment)"),
    types.ORDER_PLACED: gettext_lazy("Order placed"),
    types.ORDER_UPDATED: gettext_lazy("Order updated"),
    types.ORDER_CANCELLED: gettext_lazy("Order cancelled"),
    types.PAYMENT_RECEIVED: gettext_lazy("Payment received"),
    types.REFUND_ISSUED: gettext_lazy("Refund issued"),
    types.SHIPMENT_CREATED: gettext_lazy("Shipment created"),
    types.SHIPMENT_SHIPPED: gettext_lazy("Parcel shipped"),
    types.SHIPMENT_IN_TRANSIT: gettext_lazy("Parcel in transit"),
    types.SHIPMENT_READY_FOR_PICKUP: gettext_lazy("Parcel ready for pickup"),
    types.SHIPMENT_DELIVERED: gettext_lazy("Parcel delivered"),
    types.SHIPMENT_PICKED_UP: gettext_lazy("Parcel picked up"),
    "shipment.received": gettext_lazy("Parcel received (delivered or picked up)"),
    types.SHIPMENT_DELIVERY_FAILED: gettext_lazy("Delivery failed"),
    types.SHIPMENT_RETURNED_TO_SENDER: gettext_lazy("Parcel returned to sender (unclaimed)"),
    types.SHIPMENT_UNKNOWN_EVENT: gettext_lazy("Unrecognised carrier event"),
    types.PICKUP_POINTS_IMPORTED: gettext_lazy("Pickup points imported"),
    types.RETURN_APPROVED: gettext_lazy("Return approved"),
    types.RETURN_REJECTED: gettext_lazy("Return rejected"),
    types.RETURN_IN_TRANSIT: gettext_lazy("Return on its way back"),
    types.RETURN_RECEIVED: gettext_lazy("Return received"),
    types.RETURN_INSPECTED: gettext_lazy("Return inspected"),
    types.RETURN_REFUNDED: gettext_lazy("Return refunded"),
    types.RETURN_EXCHANGED: gettext_lazy("Return exchanged"),
    types.RETURN_CREDITED: gettext_lazy("Store credit issued for return"),
    types.RETURN_CLOSED: gettext_lazy("Return closed"),
}.items():
    describe_type(_type, _text)


def _return_requested(event: Event) -> str:
    staff = event.payload.get("registered_by_staff")
    if staff:
        return _("Return registered by staff (%(user)s)") % {"user": staff}
    return _("Return registered")


describe_type(types.RETURN_REQUESTED, _return_requested, label=gettext_lazy("Return registered"))
describe_type(
    types.CUSTOMER_CONSENT_CHANGED, _consent, label=gettext_lazy("Marketing consent changed")
)
describe_type(
    types.CUSTOMER_SEGMENT_ENTERED, _segment, label=gettext_lazy("Customer entered a segment")
)
describe_type(
    types.MESSAGE_SENT, _message(gettext_lazy("Message sent")), label=gettext_lazy("Message sent")
)
describe_type(
    types.MESSAGE_BOUNCED,
    _message(gettext_lazy("Message bounced")),
    label=gettext_lazy("Message bounced"),
)
describe_type(types.MESSAGE_UNSUBSCRIBED, gettext_lazy("Unsubscribed from marketing"))


def _by_staff(text) -> Describer:
    def describer(event: Event) -> str:
        described = _message(text)(event)
        by = event.payload.get("by") or ""
        return _("%(text)s, by %(by)s") % {"text": described, "by": by} if by else described

    return describer


describe_type(
    types.MESSAGE_FAILED, _failed_message, label=gettext_lazy("Message not delivered (given up)")
)
describe_type(
    types.MESSAGE_RETRIED,
    _by_staff(gettext_lazy("Message sent again on request")),
    label=gettext_lazy("Message retried by staff"),
)
describe_type(
    types.MESSAGE_CANCELLED,
    _by_staff(gettext_lazy("Message cancelled")),
    label=gettext_lazy("Message cancelled by staff"),
)
describe_type(types.WITHDRAWAL_NOTIFIED, gettext_lazy("Withdrawal from the contract received"))
describe_type(types.WITHDRAWAL_ACKNOWLEDGED, gettext_lazy("Withdrawal acknowledgement e-mailed"))
describe_type(types.WITHDRAWAL_GOODS_BACK, gettext_lazy("Withdrawn goods back or proof of sending"))
describe_type(types.WITHDRAWAL_REFUNDED, gettext_lazy("Withdrawal refunded"))
describe_type(types.UNCLAIMED_CASE_OPENED, gettext_lazy("Unclaimed parcel case opened"))
describe_type(types.UNCLAIMED_CASE_REFUNDED, gettext_lazy("Unclaimed parcel refunded"))
describe_type(types.VARIANT_RESTOCKED, gettext_lazy("Returned item restocked"))


def _points(text) -> Describer:
    def describe_points(event: Event) -> str:
        points = event.payload.get("points") or event.payload.get("pending_points") or 0
        return text % {"points": points}

    return describe_points


describe_type(types.LOYALTY_JOINED, gettext_lazy("Joined the loyalty programme"))
describe_type(
    types.LOYALTY_POINTS_EARNED,
    _points(gettext_lazy("%(points)s loyalty points earned (pending)")),
    label=gettext_lazy("Loyalty points earned"),
)
describe_type(
    types.LOYALTY_POINTS_VESTED,
    _points(gettext_lazy("%(points)s loyalty points available")),
    label=gettext_lazy("Loyalty points vested"),
)
describe_type(
    types.LOYALTY_POINTS_REVERSED,
    _points(gettext_lazy("%(points)s loyalty points reversed")),
    label=gettext_lazy("Loyalty points reversed"),
)
describe_type(
    types.LOYALTY_POINTS_REDEEMED,
    _points(gettext_lazy("%(points)s loyalty points redeemed")),
    label=gettext_lazy("Loyalty points redeemed"),
)
describe_type(
    types.LOYALTY_POINTS_ADJUSTED,
    _points(gettext_lazy("Loyalty points adjusted by %(points)s")),
    label=gettext_lazy("Loyalty points adjusted by staff"),
)


def _tier_changed(event: Event) -> str:
    tier = event.payload.get("tier") or _("no tier")
    if event.payload.get("direction") == "up":
        return _("Loyalty tier reached: %(tier)s") % {"tier": tier}
    return _("Loyalty tier lowered to %(tier)s") % {"tier": tier}


describe_type(types.LOYALTY_TIER_CHANGED, _tier_changed, label=gettext_lazy("Loyalty tier changed"))


from aftersale.backoffice import reward_events  # noqa: E402, F401  (rewards and referrals)

describe_type(types.TICKET_OPENED, gettext_lazy("Support ticket opened"))
describe_type(types.TICKET_CUSTOMER_REPLIED, gettext_lazy("Customer wrote to the support ticket"))
describe_type(types.TICKET_ANSWERED, gettext_lazy("Support ticket answered"))
describe_type(types.TICKET_SOLVED, gettext_lazy("Support ticket solved"))
describe_type(types.TICKET_REOPENED, gettext_lazy("Support ticket opened again"))


def _csat(event: Event) -> str:
    text = _("Rated customer service %(score)s/5") % {"score": event.payload.get("score", "?")}
    comment = (event.payload.get("comment") or "").strip()
    return f"{text}: “{comment[:200]}”" if comment else text


describe_type(types.TICKET_CSAT, _csat, label=gettext_lazy("Customer service rated"))


def _survey_answered(event: Event) -> str:
    score = event.payload.get("score")
    if score is None:
        return _("Satisfaction survey answered")
    top = 10 if event.payload.get("scale") == "nps" else 5
    return _("Satisfaction survey answered: %(score)s of %(top)s") % {"score": score, "top": top}


describe_type(
    types.SURVEY_ANSWERED,
    _survey_answered,
    label=gettext_lazy("Satisfaction survey answered"),
)
describe_type(types.REVIEW_REQUESTED, gettext_lazy("Review request due"))
describe_type(types.REVIEW_SUBMITTED, gettext_lazy("Review written"))
describe_type(types.REVIEW_PUBLISHED, gettext_lazy("Review published"))
describe_type(types.REVIEW_REJECTED, gettext_lazy("Review rejected"))
describe_type(types.REVIEW_UNPUBLISHED, gettext_lazy("Review taken down"))


def _reviews(shop, ids):
    rows = Review.objects.for_shop(shop).filter(pk__in=ids).values_list("pk", "product__name")
    return {pk: Subject(name, reverse("backoffice:review_detail", args=[pk])) for pk, name in rows}


register_subject("review", _reviews)
register_subject(
    "reviewrequest",
    _via_order(ReviewRequest, lambda r: "", lambda r: _("review request")),
)
