"""The return policy engine: what may be returned, until when, at what fee, for how much.

Every rule a customer or merchant can meet lives here, as plain functions over the shop's
rows, so the portal, the back-office and the API give the same answer:

- the statutory 14-day withdrawal period, counted from the day the customer received the
  parcel (a shipment's delivered / picked-up time from tracking), else from an estimate;
- the shop's own longer window (``Shop.return_window_days``);
- non-returnable categories (hygiene, personalised, perishable) and final-sale products;
- return fees by method (none for complaints, none for exchanges if the shop says so);
- never more than was bought minus what is already being returned, and never a refund larger
  than what was paid minus what was already refunded;
- complaints about defective or wrong items: no 14-day limit, a photo is required.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from aftersale.catalog.models import Category, Variant
from aftersale.catalog.sizes import size_order, sort_key
from aftersale.delivery.models import RECEIVED_STATUSES, Shipment, TrackingEvent
from aftersale.orders.balance import order_balance
from aftersale.orders.models import Order, OrderLine
from aftersale.returns.models import (
    COMPLAINT_REASONS,
    Resolution,
    ReturnLine,
    ReturnMethod,
    ReturnPolicy,
    ReturnReason,
    ReturnRequest,
    ReturnState,
)

STATUTORY_WITHDRAWAL_DAYS = 14
# Without a delivery or pickup event the receipt date is estimated: a parcel reaches the
# customer this many days after it was shipped, or after the order was placed if it has no
# shipment either. Both err on the customer's side (a later receipt means a later deadline).
ESTIMATED_DAYS_FROM_SHIPPING = 3
ESTIMATED_DAYS_FROM_ORDER = 5

# Photos: what a customer may upload, and how large.
PHOTO_CONTENT_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTOS_PER_LINE = 3

# Returns that no longer hold goods back: a rejected return frees its quantities again.
INACTIVE_STATES = (ReturnState.REJECTED,)


class ReturnNotAllowed(Exception):
    """A return request that breaks the policy; ``errors`` maps a field or line to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))
        self.errors = errors


def policy_for(shop) -> ReturnPolicy:
    """The shop's return policy; a shop that never set one gets the defaults (unsaved)."""
    return ReturnPolicy.objects.filter(shop=shop).first() or ReturnPolicy(shop=shop)


# --- When did the customer receive the order? -------------------------------------------


@dataclass(frozen=True)
class Receipt:
    at: datetime
    estimated: bool


def receipt_of(order: Order) -> Receipt:
    """When the customer received ``order``: the first delivery or pickup of any of its
    shipments, else an estimate from the shipping date, else from the order date."""
    shipments = Shipment.objects.for_shop(order.shop_id).filter(order=order)
    received = [
        at
        for at in (
            shipments.exclude(received_at=None)
            .order_by("received_at")
            .values_list("received_at", flat=True)
            .first(),
            TrackingEvent.objects.for_shop(order.shop_id)
            .filter(shipment__order=order, status__in=RECEIVED_STATUSES)
            .order_by("occurred_at")
            .values_list("occurred_at", flat=True)
            .first(),
        )
        if at is not None
    ]
    if received:
        return Receipt(at=min(received), estimated=False)
    shipped = (
        shipments.exclude(shipped_at=None)
        .order_by("shipped_at")
        .values_list("shipped_at", flat=True)
        .first()
    )
    if shipped is not None:
        return Receipt(at=shipped + timedelta(days=ESTIMATED_DAYS_FROM_SHIPPING), estimated=True)
    return Receipt(at=order.placed_at + timedelta(days=ESTIMATED_DAYS_FROM_ORDER), estimated=True)


def window_days(shop) -> int:
    """The shop's return window, never shorter than the statutory withdrawal period."""
    return max(STATUTORY_WITHDRAWAL_DAYS, shop.return_window_days or 0)


def return_deadline(order: Order, receipt: Receipt | None = None) -> datetime:
    """The last moment of the return window: the end of the window's last day in the shop's
    time zone (the day of receipt does not count, as in the EU Consumer Rights Directive)."""
    receipt = receipt or receipt_of(order)
    zone = ZoneInfo(order.shop.time_zone)
    received_day = receipt.at.astimezone(zone).date()
    last_day = received_day + timedelta(days=window_days(order.shop))
    end = datetime.combine(last_day, time(23, 59, 59), tzinfo=zone)
    return end.astimezone(ZoneInfo("UTC"))


# --- Which lines can be returned? -------------------------------------------------------


def returned_quantities(order: Order, *, exclude: ReturnRequest | None = None) -> dict[int, int]:
    """Quantity per order line already in a return that still holds it (not rejected)."""
    lines = (
        ReturnLine.objects.for_shop(order.shop_id)
        .filter(order_line__order=order)
        .exclude(return_request__state__in=INACTIVE_STATES)
    )
    if exclude is not None:
        lines = lines.exclude(return_request=exclude)
    totals = lines.values("order_line_id").annotate(total=Sum("quantity"))
    return {row["order_line_id"]: row["total"] for row in totals}


@dataclass
class LineEligibility:
    """What the customer may do with one order line, and why not if they may not."""

    line: OrderLine
    remaining: int
    can_withdraw: bool
    can_complain: bool
    reason: str = ""

    @property
    def can_return(self) -> bool:
        return self.can_withdraw or self.can_complain


@dataclass
class OrderEligibility:
    order: Order
    receipt: Receipt
    deadline: datetime
    lines: list[LineEligibility] = field(default_factory=list)

    @property
    def window_open(self) -> bool:
        return timezone.now() <= self.deadline

    @property
    def any_returnable(self) -> bool:
        return any(line.can_return for line in self.lines)

    def for_line(self, line_id: int) -> LineEligibility | None:
        return next((item for item in self.lines if item.line.pk == line_id), None)


def non_returnable_reason(line: OrderLine) -> str:
    """Why the law or the shop excludes this product from withdrawal, or "" if it does not."""
    product = line.variant.product if line.variant_id else None
    if product is None:
        return ""
    if product.final_sale:
        return _("Final sale: this item cannot be returned.")
    category = product.category
    if category is not None and category.non_returnable:
        return {
            Category.NonReturnable.HYGIENE: _(
                "Hygiene product: it cannot be returned once the seal is broken."
            ),
            Category.NonReturnable.PERSONALISED: _(
                "Personalised or made to order: it cannot be returned."
            ),
            Category.NonReturnable.PERISHABLE: _("Perishable: it cannot be returned."),
        }.get(category.non_returnable, _("This item cannot be returned."))
    return ""


def eligibility(order: Order, *, now: datetime | None = None) -> OrderEligibility:
    """Every line of ``order`` with what may be returned and, where nothing may, why not."""
    now = now or timezone.now()
    receipt = receipt_of(order)
    deadline = return_deadline(order, receipt)
    already = returned_quantities(order)
    result = OrderEligibility(order=order, receipt=receipt, deadline=deadline)
    if order.status == Order.Status.CANCELLED:
        for line in order.lines.all():
            result.lines.append(
                LineEligibility(
                    line=line,
                    remaining=0,
                    can_withdraw=False,
                    can_complain=False,
                    reason=_("The order was cancelled."),
                )
            )
        return result
    lines = order.lines.select_related("variant__product__category")
    for line in lines:
        remaining = max(0, line.quantity - already.get(line.pk, 0))
        item = LineEligibility(
            line=line, remaining=remaining, can_withdraw=False, can_complain=False
        )
        if remaining == 0:
            item.reason = _("Already returned.")
        else:
            # A defect can always be reported: the statutory liability for defects is not
            # limited to the withdrawal period and applies to final-sale items too.
            item.can_complain = True
            excluded = non_returnable_reason(line)
            if excluded:
                item.reason = excluded
            elif now > deadline:
                item.reason = _(
                    "The return period ended on %(date)s. A defective or wrong item can "
                    "still be reported as a complaint."
                ) % {
                    "date": date_format(
                        timezone.localtime(deadline, ZoneInfo(order.shop.time_zone)).date()
                    )
                }
            else:
                item.can_withdraw = True
        result.lines.append(item)
    return result


# --- Validating a request ---------------------------------------------------------------


@dataclass
class RequestedLine:
    """One line the customer wants to send back, as entered in the portal or the API."""

    order_line_id: int
    quantity: int
    reason: str
    comment: str = ""
    exchange_variant_id: int | None = None
    photos: list = field(default_factory=list)


def kind_for(reasons: list[str]) -> str:
    """A request is a complaint when every item is defective or wrong, otherwise a return."""
    if reasons and all(reason in COMPLAINT_REASONS for reason in reasons):
        return ReturnRequest.Kind.COMPLAINT
    return ReturnRequest.Kind.WITHDRAWAL


def offered_methods(shop) -> list[str]:
    """The return methods the shop offers, drop-off first."""
    policy = policy_for(shop)
    methods = [ReturnMethod.DROP_OFF]
    if policy.home_pickup_fee_cents is not None:
        methods.append(ReturnMethod.HOME_PICKUP)
    if policy.store_fee_cents is not None:
        methods.append(ReturnMethod.STORE)
    return methods


def return_fee(shop, *, method: str, kind: str, resolution: str) -> int:
    """The fee the customer pays for sending goods back: none for a complaint, none for an
    exchange when exchanges are free, otherwise the fee of the chosen method."""
    policy = policy_for(shop)
    if kind == ReturnRequest.Kind.COMPLAINT:
        return 0
    if resolution == Resolution.EXCHANGE and policy.free_exchanges:
        return 0
    fee = {
        ReturnMethod.DROP_OFF: policy.drop_off_fee_cents,
        ReturnMethod.HOME_PICKUP: policy.home_pickup_fee_cents,
        ReturnMethod.STORE: policy.store_fee_cents,
    }.get(method)
    return fee or 0


def validate_photo(upload) -> str:
    """An error message for an unacceptable photo upload, or "" when it is fine."""
    content_type = (getattr(upload, "content_type", "") or "").lower()
    if content_type not in PHOTO_CONTENT_TYPES or sniff_image_type(upload) != content_type:
        return _("%(name)s is not a photo we can accept: upload a JPEG, PNG or WebP image.") % {
            "name": upload.name
        }
    if upload.size > PHOTO_MAX_BYTES:
        return _("%(name)s is too large (%(size)s MB): the limit is %(limit)s MB per photo.") % {
            "name": upload.name,
            "size": f"{upload.size / 1024 / 1024:.1f}",
            "limit": PHOTO_MAX_BYTES // 1024 // 1024,
        }
    return ""


def sniff_image_type(upload) -> str:
    """The image type from the file's first bytes, so a renamed file is not taken on trust."""
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return ""


def check_request(
    order: Order,
    lines: list[RequestedLine],
    *,
    resolution: str,
    method: str,
    now: datetime | None = None,
    require_photos: bool = True,
) -> str:
    """Check a return request against the policy; return its kind or raise ReturnNotAllowed
    with one message per offending field or line. ``require_photos=False`` checks the items
    and reasons only (the portal's first step, before photos are asked for)."""
    errors: dict[str, str] = {}
    if not lines:
        raise ReturnNotAllowed({"lines": _("Choose at least one item to return.")})
    if resolution not in Resolution.values:
        errors["resolution"] = _("Choose a refund, an exchange or store credit.")
    if method not in offered_methods(order.shop):
        errors["method"] = _("Choose one of the return methods offered.")
    state = eligibility(order, now=now)
    kind = kind_for([line.reason for line in lines])
    reasons = [line.reason for line in lines]
    if kind == ReturnRequest.Kind.WITHDRAWAL and any(r in COMPLAINT_REASONS for r in reasons):
        errors["lines"] = _(
            "Damaged or wrong items are a complaint: register them separately from other returns."
        )
    seen: set[int] = set()
    for requested in lines:
        key = f"line-{requested.order_line_id}"
        item = state.for_line(requested.order_line_id)
        if item is None or requested.order_line_id in seen:
            errors[key] = _("This item is not part of the order.")
            continue
        seen.add(requested.order_line_id)
        name = item.line.name
        if requested.reason not in ReturnReason.values:
            errors[key] = _("%(name)s: choose a reason.") % {"name": name}
            continue
        if requested.quantity < 1 or requested.quantity > item.remaining:
            if item.remaining:
                errors[key] = _("%(name)s: you can return 1 to %(max)s of this item.") % {
                    "name": name,
                    "max": item.remaining,
                }
            else:
                errors[key] = f"{name}: {item.reason}"
            continue
        if kind == ReturnRequest.Kind.COMPLAINT:
            if not item.can_complain:
                errors[key] = f"{name}: {item.reason}"
            elif require_photos and not requested.photos:
                errors[key] = _(
                    "%(name)s: add a photo of the defect or the wrong item so we can help quickly."
                ) % {"name": name}
        elif not item.can_withdraw:
            errors[key] = f"{name}: {item.reason}"
        if resolution == Resolution.EXCHANGE and not errors.get(key):
            problem = exchange_problem(item.line, requested.exchange_variant_id)
            if problem:
                errors[key] = f"{name}: {problem}"
        for upload in requested.photos:
            problem = validate_photo(upload)
            if problem:
                errors[f"photos-{requested.order_line_id}"] = problem
        if len(requested.photos) > PHOTOS_PER_LINE:
            errors[f"photos-{requested.order_line_id}"] = _(
                "Add at most %(count)s photos per item."
            ) % {"count": PHOTOS_PER_LINE}
    if errors:
        raise ReturnNotAllowed(errors)
    return kind


def exchange_options(line: OrderLine) -> list[Variant]:
    """Other variants of the same product that are in stock: what an exchange can offer.

    The bought colour comes first, each colour from the smallest size to the largest.
    """
    if not line.variant_id:
        return []
    bought = line.variant
    variants = list(
        Variant.objects.for_shop(line.shop_id)
        .filter(product_id=bought.product_id, stock__gt=0)
        .exclude(pk=line.variant_id)
        .select_related("product")
    )
    colour = bought.colour.casefold()
    variants.sort(
        key=lambda v: (v.colour.casefold() != colour, v.colour.casefold(), sort_key(v.size), v.sku)
    )
    return variants


# A size reason points one way along the product's sizes.
SIZE_DIRECTION = {ReturnReason.TOO_SMALL: 1, ReturnReason.TOO_LARGE: -1}


def proposed_exchange(line: OrderLine, reason: str) -> Variant | None:
    """The variant the reason implies: the next size up for "too small", down for "too large",
    in the same colour, whether in stock or not (the portal shows its stock). None when the
    reason is not about size or the product has no such size."""
    direction = SIZE_DIRECTION.get(ReturnReason(reason)) if reason in ReturnReason else None
    if direction is None or not line.variant_id:
        return None
    bought = line.variant
    here = size_order(bought.size)
    colour = bought.colour.casefold()
    candidates = []
    for variant in (
        Variant.objects.for_shop(line.shop_id)
        .filter(product_id=bought.product_id)
        .exclude(pk=bought.pk)
        .select_related("product")
    ):
        there = size_order(variant.size)
        if variant.colour.casefold() != colour or not here.comparable(there):
            continue
        step = (there.value - here.value) * direction
        if step > 0:
            candidates.append((step, variant.stock <= 0, variant.sku, variant))
    return min(candidates, key=lambda c: c[:3])[3] if candidates else None


def exchange_problem(line: OrderLine, variant_id: int | None) -> str:
    if variant_id is None:
        return _("choose the size or colour you want instead.")
    if variant_id not in {variant.pk for variant in exchange_options(line)}:
        return _("that size or colour is not available for exchange; choose another.")
    return ""


# --- Money ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundBreakdown:
    goods_cents: int
    fee_cents: int
    cap_cents: int
    refund_cents: int

    @property
    def capped(self) -> bool:
        return self.refund_cents < self.goods_cents - self.fee_cents


def refund_for(return_request: ReturnRequest) -> RefundBreakdown:
    """The refund of a return: returned quantity × unit price for every line, minus the
    return fee (never for a complaint), never more than paid minus already refunded."""
    goods = sum(
        line.quantity * line.order_line.unit_price_cents
        for line in return_request.lines.select_related("order_line")
    )
    fee = 0 if return_request.kind == ReturnRequest.Kind.COMPLAINT else return_request.fee_cents
    order = return_request.order
    cap = order_balance(order).refundable_cents
    refund = max(0, min(goods - fee, cap))
    return RefundBreakdown(goods_cents=goods, fee_cents=fee, cap_cents=cap, refund_cents=refund)


def store_credit_for(shop, refund_cents: int) -> tuple[int, int]:
    """Store credit for a refund's value: (total, bonus) with the shop's bonus rounded down."""
    bonus = refund_cents * policy_for(shop).store_credit_bonus_bp // 10000
    return refund_cents + bonus, bonus
