"""Named conditions used by flow filters and condition steps, and the marketing pauses.

A condition is a function of a run (and the current time) that answers yes or no by reading the
database as it is now, so it is re-checked before every step (a win-back stops as soon as the
customer orders again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from aftersale.delivery.models import Shipment, ShipmentStatus
from aftersale.flows.builtin import SURVEY_FLOW_KEYS
from aftersale.flows.models import FlowRun, Message, MessagingSettings
from aftersale.flows.subjects import load_subject
from aftersale.orders.models import Order
from aftersale.returns.models import ReturnRequest, ReturnState
from aftersale.reviews import requests as review_requests
from aftersale.reviews.models import ReviewRequest
from aftersale.service.csat import interval_days
from aftersale.service.models import Source, Ticket, TicketState


@dataclass(frozen=True)
class Condition:
    name: str
    label: str
    holds: Callable[[FlowRun, datetime], bool]


def _no_order_since_start(run: FlowRun, now: datetime) -> bool:
    return not (
        Order.objects.for_shop(run.shop_id)
        .filter(customer_id=run.customer_id, placed_at__gt=run.started_at)
        .exists()
    )


def _parcel_waiting(run: FlowRun, now: datetime) -> bool:
    shipment = load_subject(run.shop_id, run.subject_type, run.subject_id)
    return isinstance(shipment, Shipment) and shipment.status == ShipmentStatus.READY_FOR_PICKUP


def _order_not_cancelled(run: FlowRun, now: datetime) -> bool:
    if run.order_id is None:
        return True
    if run.subject_type == "order" and run.order is not None:
        return run.order.status != Order.Status.CANCELLED
    return not (
        Order.objects.for_shop(run.shop_id)
        .filter(pk=run.order_id, status=Order.Status.CANCELLED)
        .exists()
    )


def _nothing_being_returned(run: FlowRun, now: datetime) -> bool:
    """No return of the run's order has been registered (a rejected one does not count)."""
    if run.order_id is None:
        return True
    return not (
        ReturnRequest.objects.for_shop(run.shop_id)
        .filter(order_id=run.order_id)
        .exclude(state=ReturnState.REJECTED)
        .exists()
    )


def _first_survey_of_order(run: FlowRun, now: datetime) -> bool:
    """No earlier satisfaction-survey run about the same order (an order that came in two
    parcels, or one a carrier reported both delivered and picked up, is asked once)."""
    if run.order_id is None:
        return True
    return not (
        FlowRun.objects.for_shop(run.shop_id)
        .filter(order_id=run.order_id, flow__key__in=SURVEY_FLOW_KEYS, id__lt=run.pk)
        .exists()
    )


def _has_marketing_consent(run: FlowRun, now: datetime) -> bool:
    return bool(run.customer.marketing_consent)


def _unclaimed_flagged(run: FlowRun, now: datetime) -> bool:
    from aftersale.delivery.selectors import is_flagged

    return is_flagged(run.shop_id, run.customer, now)


def _value_segment(run: FlowRun) -> tuple[str, str] | None:
    from aftersale.insights.selectors import customer_value

    value = customer_value(run.shop_id, run.customer)
    return (value.rfm_segment, value.value_segment) if value else None


def _not_serial_returner(run: FlowRun, now: datetime) -> bool:
    segments = _value_segment(run)
    return segments is None or segments[1] != "serial_returner"


def _profitable(run: FlowRun, now: datetime) -> bool:
    segments = _value_segment(run)
    return segments is not None and segments[1] == "profitable"


def _churn_risk(run: FlowRun, now: datetime) -> bool:
    segments = _value_segment(run)
    return segments is not None and segments[0] in ("at_risk", "hibernating", "one_time_lapsed")


def _ticket_solved(run: FlowRun, now: datetime) -> bool:
    ticket = load_subject(run.shop_id, run.subject_type, run.subject_id)
    return isinstance(ticket, Ticket) and ticket.state in (
        TicketState.SOLVED,
        TicketState.CLOSED,
    )


def _csat_not_asked_recently(run: FlowRun, now: datetime) -> bool:
    """The ticket was not asked about (by this flow) within the shop's interval: a ticket
    reopened and solved again soon after asks once, not every time."""
    days = interval_days(run.shop_id)
    if days <= 0 or run.subject_type != "ticket":
        return True
    return not (
        Message.objects.filter(
            shop_id=run.shop_id,
            run__flow_id=run.flow_id,
            run__subject_type="ticket",
            run__subject_id=run.subject_id,
            created_at__gte=now - timedelta(days=days),
        )
        .exclude(run_id=run.pk)
        .exclude(state__in=(Message.State.CANCELLED, Message.State.FAILED, Message.State.BOUNCED))
        .exists()
    )


def _review_request(run: FlowRun) -> ReviewRequest | None:
    subject = load_subject(run.shop_id, run.subject_type, run.subject_id)
    return subject if isinstance(subject, ReviewRequest) else None


def _review_items_kept(run: FlowRun, now: datetime) -> bool:
    """Something the request asks about is still the customer's: not every item returned or
    in an open return, the parcel not sent back unclaimed."""
    request = _review_request(run)
    return request is not None and not review_requests.why_not_ask(request)


def _review_not_written(run: FlowRun, now: datetime) -> bool:
    request = _review_request(run)
    return request is not None and not review_requests.has_written(request)


CONDITIONS: dict[str, Condition] = {
    c.name: c
    for c in (
        Condition(
            "no_order_since_start", _("the customer has not ordered since"), _no_order_since_start
        ),
        Condition(
            "parcel_waiting", _("the parcel is still waiting at the pickup point"), _parcel_waiting
        ),
        Condition("order_not_cancelled", _("the order is not cancelled"), _order_not_cancelled),
        Condition(
            "nothing_being_returned",
            _("nothing of the order is being returned"),
            _nothing_being_returned,
        ),
        Condition(
            "first_survey_of_order",
            _("no satisfaction survey was started for the order before"),
            _first_survey_of_order,
        ),
        Condition(
            "has_marketing_consent", _("the customer accepts marketing"), _has_marketing_consent
        ),
        Condition(
            "unclaimed_flagged",
            _("the customer left two or more parcels unclaimed in 12 months"),
            _unclaimed_flagged,
        ),
        Condition(
            "not_unclaimed_flagged",
            _("the customer has not left parcels unclaimed repeatedly"),
            lambda run, now: not _unclaimed_flagged(run, now),
        ),
        Condition(
            "not_serial_returner", _("the customer is not a serial returner"), _not_serial_returner
        ),
        Condition("profitable", _("the customer is profitable after returns"), _profitable),
        Condition(
            "churn_risk",
            _("the customer is at risk, hibernating or bought once long ago (RFM segment)"),
            _churn_risk,
        ),
        Condition("ticket_solved", _("the support ticket is solved"), _ticket_solved),
        Condition(
            "csat_not_asked_recently",
            _("the ticket was not asked about satisfaction recently"),
            _csat_not_asked_recently,
        ),
        Condition(
            "review_items_kept",
            _("the customer kept something the review request is about"),
            _review_items_kept,
        ),
        Condition(
            "review_not_written",
            _("the customer has not written a review from the request"),
            _review_not_written,
        ),
    )
}


def condition_choices() -> list[tuple[str, str]]:
    return [(c.name, c.label) for c in CONDITIONS.values()]


def failing_condition(run: FlowRun, names: list[str], now: datetime) -> Condition | None:
    """The first named condition that does not hold for ``run`` now, or None if all hold.

    An unknown name fails, so that a typo stops a run rather than messaging everyone.
    """
    for name in names:
        condition = CONDITIONS.get(name)
        if condition is None:
            return Condition(name, name, lambda run, now: False)
        if not condition.holds(run, now):
            return condition
    return None


# --- Pauses for marketing -------------------------------------------------------------------

CLOSED_RETURN_STATES = (
    ReturnState.CLOSED,
    ReturnState.REJECTED,
    ReturnState.REFUNDED,
    ReturnState.EXCHANGED,
    ReturnState.CREDITED,
)
FAILED_DELIVERY_STATUSES = (ShipmentStatus.DELIVERY_FAILED, ShipmentStatus.RETURNED_TO_SENDER)


def _open_return(shop, customer_id: int, now: datetime, settings: MessagingSettings) -> str:
    open_returns = ReturnRequest.objects.for_shop(shop).filter(customer_id=customer_id)
    if open_returns.exclude(state__in=CLOSED_RETURN_STATES).exists():
        return str(_("paused: the customer has an open return"))
    return ""


def _failed_delivery(shop, customer_id: int, now: datetime, settings: MessagingSettings) -> str:
    since = now - timedelta(days=settings.failed_delivery_pause_days)
    failed = Shipment.objects.for_shop(shop).filter(
        order__customer_id=customer_id, status__in=FAILED_DELIVERY_STATUSES, updated_at__gte=since
    )
    if failed.exists():
        return str(_("paused: a delivery to the customer failed"))
    return ""


def _open_ticket(shop, customer_id: int, now: datetime, settings: MessagingSettings) -> str:
    """A customer waiting for customer service gets no marketing until the ticket is solved.

    Except a ticket a low survey score opened: the customer did not ask for it, and pausing
    would send unhappy customers' review requests later than happy ones' (review gating)."""
    tickets = Ticket.objects.for_shop(shop).unresolved().exclude(source=Source.SURVEY)
    if tickets.filter(customer_id=customer_id).exists():
        return str(_("paused: the customer has an open support ticket"))
    return ""


PAUSES = (_open_return, _failed_delivery, _open_ticket)


def pause_reason(shop, customer_id: int, now: datetime, settings: MessagingSettings) -> str:
    """Why marketing to this customer waits now ("" if it need not)."""
    for check in PAUSES:
        reason = check(shop, customer_id, now, settings)
        if reason:
            return reason
    return ""
