"""Canned replies and the variables a reply may use, rendered by the flows' template engine.

``reply_context(ticket, language)`` gives the plain values for one ticket: the customer's name,
the ticket's (or the customer's latest) order, its latest parcel (tracking link, pickup point,
held until) and its latest return (code, slip link). ``render_reply(text, context)`` renders
staff's text in the flows' sandbox and raises ValidationError naming the mistake.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersale.delivery.models import Shipment
from aftersale.flows.context import (
    _order_values,
    _return_values,
    _shipment_values,
    sample_context,
)
from aftersale.flows.rendering import check_syntax, render_text
from aftersale.orders.models import Order
from aftersale.returns.models import ReturnRequest
from aftersale.service.models import CannedReply, Ticket

VARIABLES = (
    "customer_first_name",
    "customer_name",
    "order_number",
    "tracking_url",
    "tracking_number",
    "carrier",
    "pickup_point_name",
    "pickup_point_address",
    "held_until",
    "return_code",
    "return_slip_url",
    "ticket_number",
    "shop_name",
)


def _order_of(ticket: Ticket) -> Order | None:
    if ticket.order_id:
        return ticket.order
    if ticket.customer_id:
        return (
            Order.objects.for_shop(ticket.shop_id)
            .filter(customer_id=ticket.customer_id)
            .order_by("-placed_at", "-id")
            .first()
        )
    return None


def reply_context(ticket: Ticket, language: str) -> dict:
    shop = ticket.shop
    customer = ticket.customer
    name = (customer.full_name if customer else "") or ticket.name
    values: dict = {
        "shop_name": shop.name,
        "shop_email": shop.contact_email,
        "ticket_number": ticket.number,
        "customer_name": name,
        "customer_first_name": (customer.first_name if customer else "") or name.split(" ")[0],
    }
    order = _order_of(ticket)
    if order is None:
        return values
    with translation.override(language):
        values.update(_order_values(order, language))
        shipment = (
            Shipment.objects.for_shop(shop)
            .filter(order=order)
            .select_related("pickup_point")
            .order_by("-created_at", "-id")
            .first()
        )
        if shipment is not None:
            values.update(_shipment_values(shop, shipment, timezone.now()))
        request = (
            ReturnRequest.objects.for_shop(shop)
            .filter(order=order)
            .select_related("order")
            .order_by("-requested_at", "-id")
            .first()
        )
        if request is not None:
            values.update(_return_values(request, language))
            values["return_slip_url"] = settings.SITE_URL + reverse(
                "portal:return_slip", args=[shop.slug, request.code]
            )
    return values


def sample_reply_context(shop, language: str) -> dict:
    """Made-up values for previewing a canned reply (the flows' examples plus a ticket's)."""
    values = sample_context(shop, language)
    values["ticket_number"] = 1234
    values["return_slip_url"] = settings.SITE_URL + reverse(
        "portal:return_slip", args=[shop.slug, values["return_code"]]
    )
    return values


def render_reply(text: str, context: dict) -> str:
    error = check_syntax(text)
    if error:
        raise ValidationError(
            {"body": _("The text has a template mistake: %(error)s") % {"error": error}}
        )
    return render_text(text, context).strip()


def canned_replies(shop, language: str | None = None):
    replies = CannedReply.objects.for_shop(shop)
    return replies.filter(language=language) if language else replies


def save_canned_reply(shop, *, language: str, title: str, body: str, reply=None) -> CannedReply:
    """Create or change one of the shop's canned replies; the text must be a valid template."""
    title = " ".join((title or "").split())[:120]
    errors = {}
    if language not in shop.languages:
        errors["language"] = _("Choose one of the shop's languages.")
    if not title:
        errors["title"] = _("Give the reply a title.")
    if not (body or "").strip():
        errors["body"] = _("Write the reply.")
    elif check_syntax(body):
        errors["body"] = _("The text has a template mistake: %(error)s") % {
            "error": check_syntax(body)
        }
    if errors:
        raise ValidationError(errors)
    reply = reply or CannedReply(shop=shop)
    reply.language, reply.title, reply.body = language, title, body.strip()
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        raise ValidationError(
            {"title": _("There is already a reply with this title in this language.")}
        ) from None
    return reply


def delete_canned_reply(shop, reply_id: int) -> bool:
    deleted, _rows = CannedReply.objects.for_shop(shop).filter(pk=reply_id).delete()
    return bool(deleted)
