"""The plain values a message template may use, built for one run in the customer's language.

Times are shown in the shop's time zone; dates, weekdays and amounts follow the language.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from aftersale.core.models import WEEKDAYS as WEEKDAY_KEYS
from aftersale.core.money import format_money
from aftersale.delivery.carriers import display_name
from aftersale.delivery.models import Shipment
from aftersale.delivery.opening_hours import weekday_hours
from aftersale.flows.builtin import SURVEY_FLOW_KEYS
from aftersale.flows.models import FlowRun
from aftersale.flows.subjects import load_subject
from aftersale.loyalty import messages as loyalty_messages
from aftersale.loyalty.models import CustomerPoints, LedgerEntry, Tier
from aftersale.orders.models import Order
from aftersale.returns.models import ReturnRequest
from aftersale.reviews.links import review_url
from aftersale.reviews.models import ReviewRequest
from aftersale.reviews.requests import kept_lines
from aftersale.service import csat
from aftersale.service.models import Ticket
from aftersale.surveys.links import score_links
from aftersale.surveys.models import SCORES
from aftersale.surveys.selectors import scale_of
from aftersale.timeline import types


def local(shop, value: datetime) -> datetime:
    return timezone.localtime(value, zoneinfo.ZoneInfo(shop.time_zone))


def opening_hours_lines(hours: dict) -> list[str]:
    """One line per weekday ("Monday 09:00–17:00", "Sunday closed") in the active language;
    none when the hours are not known."""
    return [f"{day} {text}" for day, text in weekday_hours(hours)]


def _order_values(order: Order, language: str) -> dict:
    return {
        "order_number": order.number,
        "order_total": format_money(order.total_cents, order.currency, language),
        "order_lines": [
            {"name": line.name, "quantity": line.quantity} for line in order.lines.all()
        ],
        "delivery_method": order.get_delivery_method_display(),
    }


def _shipment_values(shop, shipment: Shipment, as_of: datetime) -> dict:
    values = {
        "carrier": display_name(shipment.carrier),
        "tracking_number": shipment.tracking_number,
        "tracking_url": f"{settings.SITE_URL}/t/{shipment.tracking_token}/",
    }
    point = shipment.pickup_point
    if point is not None:
        values.update(
            pickup_point_name=point.name,
            pickup_point_address=", ".join(
                part for part in (point.street, f"{point.postcode} {point.city}".strip()) if part
            ),
            pickup_opening_hours=opening_hours_lines(point.opening_hours or {}),
        )
    if shipment.held_until is not None:
        held = local(shop, shipment.held_until)
        values.update(
            held_until=date_format(held, "DATE_FORMAT"),
            held_until_weekday=date_format(held, "l"),
            # Whole days between local dates, counted from when the message was due (a send a
            # minute past local midnight still says "3 days" for a 3-days-before reminder).
            days_left=max(0, (held.date() - local(shop, as_of).date()).days),
        )
    return values


def _return_values(request: ReturnRequest, language: str) -> dict:
    currency = request.order.currency
    return {
        "return_code": request.code,
        "return_refund": format_money(request.refund_cents, currency, language),
        "return_resolution": request.get_resolution_display(),
    }


def _ticket_values(shop, run: FlowRun, ticket: Ticket) -> dict:
    """The ticket, and for the satisfaction question the signed links about the solving that
    started the run (the five one-click scores and the page itself)."""
    values = {"ticket_number": ticket.number, "ticket_subject": ticket.subject}
    event = run.trigger_event
    if event is not None and event.type == types.TICKET_SOLVED:
        values["csat_url"] = csat.csat_url(shop, ticket.pk, event.pk)
        values["csat_links"] = csat.csat_links(shop, ticket.pk, event.pk)
    return values


def _review_request_values(request: ReviewRequest) -> dict:
    """The link to the review page, what it asks about, and whether the parcel was late (the
    e-mail then says sorry; it never changes who is asked)."""
    return {
        "review_url": review_url(request),
        "review_policy_url": f"{settings.SITE_URL}/s/{request.shop.slug}/reviews/policy/",
        "review_products": [line.name for line in kept_lines(request.shop, request.order_id)],
        "parcel_was_late": request.parcel_was_late,
    }


def tier_benefits(tier) -> list[str]:
    """A tier's benefits in the active language."""
    if tier is None:
        return []
    benefits = []
    if tier.multiplier_percent != 100:
        benefits.append(_("Points at %(percent)s %%") % {"percent": tier.multiplier_percent})
    if tier.free_returns:
        benefits.append(_("Free returns"))
    if tier.free_exchanges:
        benefits.append(_("Free exchanges"))
    if tier.early_access:
        benefits.append(_("Early access to sales"))
    return benefits


def _loyalty_values(shop, run: FlowRun, subject) -> dict:
    """Points and tier for the loyalty flows; ``points`` is what the triggering event was
    about (all points that vested for the order, say)."""
    member = (
        CustomerPoints.objects.for_shop(shop)
        .select_related("tier")
        .filter(customer_id=run.customer_id)
        .first()
    )
    trigger = run.trigger_event
    payload = trigger.payload if trigger else {}
    points = payload.get("points", subject.points) if isinstance(subject, LedgerEntry) else 0
    tier = member.tier if member else None
    if payload.get("tier_id"):  # the tier the event was about, not where the member is now
        tier = Tier.objects.for_shop(shop).filter(pk=payload["tier_id"]).first() or tier
    return {
        "points": points,
        "points_available": member.available if member else 0,
        "points_pending": member.pending if member else 0,
        "tier_name": tier.name if tier else "",
        "tier_benefits": tier_benefits(tier),
        "loyalty_url": f"{settings.SITE_URL}/s/{shop.slug}/loyalty/",
    }


def build_context(
    run: FlowRun, language: str, *, as_of: datetime | None = None, subject=None
) -> dict:
    """Everything a template may print for ``run``, as plain values; ``days_left`` counts
    from ``as_of`` (the moment the message was due; now if not given)."""
    shop = run.shop
    customer = run.customer
    with translation.override(language):
        values: dict = {
            "shop_name": shop.name,
            "shop_email": shop.contact_email,
            "shop_phone": shop.contact_phone,
            "shop_website": shop.website,
            "customer_first_name": customer.first_name,
            "customer_name": customer.full_name,
        }
        order = run.order if run.order_id else None
        if run.subject_type == "order":
            subject = order
        elif subject is None:
            subject = load_subject(shop.pk, run.subject_type, run.subject_id)
        if order is not None:
            values.update(_order_values(order, language))
        if isinstance(subject, Shipment):
            values.update(_shipment_values(shop, subject, as_of or timezone.now()))
        if isinstance(subject, ReturnRequest):
            values.update(_return_values(subject, language))
        if isinstance(subject, Ticket):
            values.update(_ticket_values(shop, run, subject))
        if isinstance(subject, ReviewRequest):
            values.update(_review_request_values(subject))
        if isinstance(subject, LedgerEntry | CustomerPoints):
            values.update(_loyalty_values(shop, run, subject))
        if run.flow.key in SURVEY_FLOW_KEYS:
            scale = scale_of(shop)
            values.update(
                survey_scale=scale, survey_links=score_links(shop, run.pk, language, scale)
            )
        event = run.trigger_event
        if event is not None and event.type in loyalty_messages.EVENT_TYPES:
            values.update(loyalty_messages.values_for(shop, customer, event.payload or {}))
    return values


def sample_context(shop, language: str) -> dict:
    """Made-up values for previewing a template in the back-office."""
    now = timezone.now()
    with translation.override(language):
        held = local(shop, now) + timedelta(days=7)
        return {
            "shop_name": shop.name,
            "shop_email": shop.contact_email,
            "shop_phone": shop.contact_phone,
            "shop_website": shop.website,
            "customer_first_name": "Aino",
            "customer_name": "Aino Virtanen",
            "order_number": "10042",
            "order_total": format_money(5580, shop.currency, language),
            "order_lines": [{"name": "Merino T-shirt", "quantity": 2}],
            "delivery_method": _("Pickup point"),
            "carrier": "Posti",
            "tracking_number": "JJFI64000000000042",
            "tracking_url": f"{settings.SITE_URL}/t/example/",
            "pickup_point_name": "K-Market Kamppi",
            "pickup_point_address": "Urho Kekkosen katu 1, 00100 Helsinki",
            "pickup_opening_hours": opening_hours_lines(
                {day: [["08:00", "21:00"]] for day in WEEKDAY_KEYS[:6]}
            ),
            "held_until": date_format(held, "DATE_FORMAT"),
            "held_until_weekday": date_format(held, "l"),
            "days_left": 7,
            "return_code": "R7K2M9QX",
            "return_refund": format_money(4990, shop.currency, language),
            "return_resolution": _("Refund"),
            "unsubscribe_url": f"{settings.SITE_URL}/u/example/",
            **loyalty_messages.sample_values(shop),
            "points": 240,
            "points_available": 1240,
            "points_pending": 180,
            "tier_name": "Gold",
            "tier_benefits": [_("Free returns"), _("Early access to sales")],
            "loyalty_url": f"{settings.SITE_URL}/s/{shop.slug}/loyalty/",
            "ticket_number": 12,
            "ticket_subject": _("Wrong size"),
            "csat_url": f"{settings.SITE_URL}/s/{shop.slug}/csat/example/",
            "csat_links": [
                {
                    "score": score,
                    "label": str(csat.SCORE_LABELS[score]),
                    "url": f"{settings.SITE_URL}/s/{shop.slug}/csat/example/?score={score}",
                }
                for score in csat.SCORES
            ],
            "survey_scale": scale_of(shop),
            "survey_links": [
                {"score": score, "url": f"{settings.SITE_URL}/s/{shop.slug}/survey/example/"}
                for score in SCORES[scale_of(shop)]
            ],
            "review_url": f"{settings.SITE_URL}/s/{shop.slug}/review/example/",
            "review_policy_url": f"{settings.SITE_URL}/s/{shop.slug}/reviews/policy/",
            "review_products": ["Merino T-shirt"],
            "parcel_was_late": True,
        }
