"""Registering a return in the portal, its status page, the slip, the QR code and photos.

Registration has two steps. First the customer picks the items and says why; then, before
confirming, the portal shows what could keep the order (an exchange for another size, the
product's size advice, the store-credit bonus), asks for the resolution, the return method
and photos (required for a complaint), and registers the return.
"""

from __future__ import annotations

import re

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from aftersale.portal import access
from aftersale.portal.lookup import shop_for
from aftersale.portal.orders import SignInRequired, order_for, to_sign_in
from aftersale.returns import policy, selectors, services, slips
from aftersale.returns.instructions import sending_steps
from aftersale.returns.models import (
    COMPLAINT_REASONS,
    SIZE_REASONS,
    Resolution,
    ReturnMethod,
    ReturnReason,
    ReturnRequest,
    ReturnState,
)
from aftersale.returns.photos import photo_response
from aftersale.reviews import figures

SLIP_STATES = slips.SLIP_STATES
COMMENT_MAX = 2000
SMALL_NUMBER = re.compile(r"[0-9]{1,9}", re.ASCII)


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def form_errors(request, eligibility) -> dict[str, str]:
    """What is wrong with the ticked lines' fields as sent, checked before any is converted
    (a changed form can send anything): one message per line, shown beside it."""
    errors = {}
    for item in eligibility.lines:
        prefix = f"line-{item.line.pk}"
        if not request.POST.get(f"{prefix}-selected"):
            continue
        name = item.line.name
        quantity = request.POST.get(f"{prefix}-quantity", "")
        exchange = request.POST.get(f"{prefix}-exchange", "")
        if not SMALL_NUMBER.fullmatch(quantity):
            errors[prefix] = _("%(name)s: choose how many to return.") % {"name": name}
        elif request.POST.get(f"{prefix}-reason", "") not in ReturnReason.values:
            errors[prefix] = _("%(name)s: choose a reason.") % {"name": name}
        elif len(request.POST.get(f"{prefix}-comment", "")) > COMMENT_MAX:
            errors[prefix] = _("%(name)s: write at most %(count)s characters.") % {
                "name": name,
                "count": f"{COMMENT_MAX:,}",
            }
        elif exchange and not SMALL_NUMBER.fullmatch(exchange):
            errors[prefix] = _("%(name)s: choose the size or colour you want instead.") % {
                "name": name
            }
    return errors


def requested_lines(request, eligibility) -> list[policy.RequestedLine]:
    """The lines ticked in the form, with their quantity, reason, comment, exchange and photos."""
    lines = []
    for item in eligibility.lines:
        prefix = f"line-{item.line.pk}"
        if not request.POST.get(f"{prefix}-selected"):
            continue
        lines.append(
            policy.RequestedLine(
                order_line_id=item.line.pk,
                quantity=_int(request.POST.get(f"{prefix}-quantity"), 0),
                reason=request.POST.get(f"{prefix}-reason", ""),
                comment=request.POST.get(f"{prefix}-comment", "")[:COMMENT_MAX],
                exchange_variant_id=_int(request.POST.get(f"{prefix}-exchange")),
                photos=request.FILES.getlist(f"photos-{item.line.pk}"),
            )
        )
    return lines


def _choose_page(request, shop, order, eligibility, *, errors=None, status=200):
    posted = request.POST if request.method == "POST" else {}
    errors = errors or {}
    rows = []
    for item in eligibility.lines:
        prefix = f"line-{item.line.pk}"
        rows.append(
            {
                "item": item,
                "prefix": prefix,
                "selected": bool(posted.get(f"{prefix}-selected")),
                "quantity": _int(posted.get(f"{prefix}-quantity"), 1),
                "quantities": range(1, item.remaining + 1),
                "reason": posted.get(f"{prefix}-reason", ""),
                "comment": posted.get(f"{prefix}-comment", ""),
                "error": errors.get(prefix, ""),
            }
        )
    return render(
        request,
        "portal/returns/choose.html",
        {
            "shop": shop,
            "order": order,
            "eligibility": eligibility,
            "rows": rows,
            "reasons": ReturnReason.choices,
            "complaint_reasons": [str(reason) for reason in COMPLAINT_REASONS],
            "general_errors": [
                message for key, message in errors.items() if not key.startswith("line-")
            ],
        },
        status=status,
    )


def exchange_choices(options, proposal, chosen_id):
    """The exchange drop-down: the proposal first and marked, each option with its stock."""
    ordered = sorted(options, key=lambda variant: variant != proposal)
    return [
        {
            "pk": variant.pk,
            "label": variant_label(variant),
            "stock": variant.stock,
            "proposed": variant == proposal,
            "selected": variant.pk == chosen_id,
        }
        for variant in ordered
    ]


def variant_label(variant) -> str:
    """ "L / beige": the size and colour a customer chooses between; the name if neither."""
    return " / ".join(part for part in (variant.size, variant.colour) if part) or str(variant)


def _confirm_page(request, shop, order, eligibility, lines, *, errors=None, status=200):
    kind = policy.kind_for([line.reason for line in lines])
    return_policy = policy.policy_for(shop)
    language = translation.get_language()
    items = [eligibility.for_line(requested.order_line_id) for requested in lines]
    # What most reviewers say about the fit, beside (never instead of) the shop's size advice.
    ratings = figures.ratings_by_product(
        shop, {item.line.variant.product_id for item in items if item.line.variant_id}
    )
    chosen = []
    for requested, item in zip(lines, items, strict=True):
        product = item.line.variant.product if item.line.variant_id else None
        rating = ratings.get(product.pk) if product else None
        options = policy.exchange_options(item.line)
        proposal = policy.proposed_exchange(item.line, requested.reason)
        chosen.append(
            {
                "requested": requested,
                "line": item.line,
                "reason_label": ReturnReason(requested.reason).label,
                "size_reason": requested.reason in SIZE_REASONS,
                "size_advice": (
                    product.size_advice_in(language, shop.default_language) if product else ""
                ),
                "fit_advice": rating.fit_advice if rating else "",
                "bought": variant_label(item.line.variant) if item.line.variant_id else "",
                "proposal": proposal,
                "proposal_label": variant_label(proposal) if proposal else "",
                "proposal_in_stock": proposal in options,
                "exchange_options": options,
                "exchange_choices": exchange_choices(
                    options, proposal, requested.exchange_variant_id
                ),
                "photo_required": kind == ReturnRequest.Kind.COMPLAINT,
            }
        )
    can_exchange = all(entry["exchange_options"] for entry in chosen)
    # Refund is the customer's right and the default; an exchange is offered, never pre-chosen.
    resolution = request.POST.get("resolution") or Resolution.REFUND
    methods = [
        {
            "value": method,
            "label": ReturnMethod(method).label,
            "fee": policy.return_fee(shop, method=method, kind=kind, resolution=Resolution.REFUND),
        }
        for method in policy.offered_methods(shop)
    ]
    goods = sum(
        requested.quantity * eligibility.for_line(requested.order_line_id).line.unit_price_cents
        for requested in lines
    )
    return render(
        request,
        "portal/returns/confirm.html",
        {
            "shop": shop,
            "order": order,
            "kind": kind,
            "is_complaint": kind == ReturnRequest.Kind.COMPLAINT,
            "chosen": chosen,
            "can_exchange": can_exchange,
            "resolution": resolution,
            "method": request.POST.get("method") or ReturnMethod.DROP_OFF,
            "methods": methods,
            "free_exchanges": return_policy.free_exchanges,
            "bonus_percent": return_policy.store_credit_bonus_bp / 100,
            "goods_cents": goods,
            "errors": errors or {},
            "photo_types": ",".join(policy.PHOTO_CONTENT_TYPES),
            "photo_limit_mb": policy.PHOTO_MAX_BYTES // 1024 // 1024,
            "photos_per_line": policy.PHOTOS_PER_LINE,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def start_return(request, shop_slug, order_id):
    shop = shop_for(shop_slug)
    try:
        order = order_for(request, shop, order_id)
    except SignInRequired:
        return to_sign_in(shop)
    eligibility = policy.eligibility(order)
    if request.method == "GET":
        return _choose_page(request, shop, order, eligibility)
    errors = form_errors(request, eligibility)
    if errors:
        return _choose_page(request, shop, order, eligibility, errors=errors, status=400)
    lines = requested_lines(request, eligibility)
    if request.POST.get("step") != "confirm":
        try:
            policy.check_request(
                order,
                lines,
                resolution=Resolution.REFUND,
                method=ReturnMethod.DROP_OFF,
                require_photos=False,
            )
        except policy.ReturnNotAllowed as refused:
            return _choose_page(
                request, shop, order, eligibility, errors=refused.errors, status=400
            )
        return _confirm_page(request, shop, order, eligibility, lines)
    try:
        return_request = services.register_return(
            shop,
            order,
            lines,
            resolution=request.POST.get("resolution", ""),
            method=request.POST.get("method", ""),
        )
    except policy.ReturnNotAllowed as refused:
        if not lines:
            return _choose_page(
                request, shop, order, eligibility, errors=refused.errors, status=400
            )
        return _confirm_page(
            request, shop, order, eligibility, lines, errors=refused.errors, status=400
        )
    return redirect("portal:return_status", shop_slug=shop.slug, code=return_request.code)


def return_for(request, shop, code: str) -> ReturnRequest:
    """A return of an order this browser may see; 404 for any other."""
    if not access.has_access(request, shop):
        raise SignInRequired
    return_request = (
        ReturnRequest.objects.for_shop(shop)
        .select_related("order", "shop", "customer")
        .filter(code=code, order__in=access.visible_orders(request, shop))
        .first()
    )
    if return_request is None:
        raise Http404
    return return_request


@require_GET
def return_status(request, shop_slug, code):
    shop = shop_for(shop_slug)
    try:
        return_request = return_for(request, shop, code)
    except SignInRequired:
        return to_sign_in(shop)
    credit = (
        getattr(return_request, "store_credit", None)
        if return_request.state in (ReturnState.CREDITED, ReturnState.CLOSED)
        else None
    )
    return render(
        request,
        "portal/returns/status.html",
        {
            "shop": shop,
            "return": return_request,
            "order": return_request.order,
            "lines": return_request.lines.select_related(
                "order_line", "exchange_variant"
            ).prefetch_related("photos"),
            "timeline": selectors.return_timeline(return_request),
            "show_slip": return_request.state in SLIP_STATES,
            "sending_steps": sending_steps(return_request),
            "credit": credit,
        },
    )


@require_GET
def return_slip(request, shop_slug, code):
    shop = shop_for(shop_slug)
    try:
        return_request = return_for(request, shop, code)
    except SignInRequired:
        return to_sign_in(shop)
    if return_request.state not in SLIP_STATES:
        raise Http404
    response = HttpResponse(slips.slip_pdf(return_request), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="return-{return_request.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def return_qr(request, shop_slug, code):
    shop = shop_for(shop_slug)
    try:
        return_request = return_for(request, shop, code)
    except SignInRequired:
        return to_sign_in(shop)
    if return_request.state not in SLIP_STATES:
        raise Http404
    response = HttpResponse(slips.qr_svg(return_request), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def return_photo(request, shop_slug, code, photo_id):
    shop = shop_for(shop_slug)
    try:
        return_request = return_for(request, shop, code)
    except SignInRequired:
        return to_sign_in(shop)
    photo = selectors.photos_of(return_request).filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo_response(photo)
