"""Product reviews through the API: read them all (pending, published, rejected), moderate,
reply, and bring in reviews collected elsewhere.

* ``GET /reviews`` — the shop's reviews by update time (cursor pages, ``updated_since``,
  ``status``, ``product_external_id``); ``GET /reviews/{id}`` — one review with its moderation
  decisions.
* ``POST /reviews`` — create or update a review collected elsewhere, by ``external_id``
  (idempotent: the same body again changes nothing), with its verification status; it is
  marked imported, never "bought here".
* ``POST /reviews/{id}/publish``, ``POST /reviews/{id}/reject`` (``reason`` from the fixed
  list: never the rating), ``POST /reviews/{id}/reply`` (empty text removes the reply).

Another shop's review is a 404. Moderation through the API is recorded with the token's name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from aftersale.api.idempotency import idempotent
from aftersale.api.pagination import page
from aftersale.api.problems import Problem, invalid_fields, not_found
from aftersale.api.reads import ListFilters
from aftersale.orders.csv_import import ImportFailed
from aftersale.orders.ingest import ExternalId, Instant, Payload, text
from aftersale.reviews import services
from aftersale.reviews.csv_import import COLUMNS, ReviewRow, store_reviews
from aftersale.reviews.models import ModerationDecision, RejectionReason, Review, ReviewStatus


class DecisionOut(Schema):
    action: str
    reason: str
    note: str
    by: str | None
    at: datetime


class ReviewOut(Schema):
    id: int
    status: str
    product_external_id: str
    variant_sku: str | None
    order_external_id: str | None
    customer_external_id: str | None
    external_id: str | None
    source: str
    rating: int
    title: str
    body: str
    author_name: str
    language: str
    fit: str | None
    verified_buyer: bool
    verification: str
    flags: list
    photos: int
    shop_reply: str | None
    replied_at: datetime | None
    submitted_at: datetime
    published_at: datetime | None
    decisions: list[DecisionOut]
    created_at: datetime
    updated_at: datetime


class ReviewPage(Schema):
    items: list[ReviewOut]
    next_cursor: str | None


class ReviewIn(Payload):
    external_id: ExternalId = Field(description="Your id of the review; the same id updates it.")
    product_external_id: ExternalId
    variant_sku: text(100) = ""  # type: ignore[valid-type]
    rating: int = Field(ge=1, le=5)
    title: text(200) = ""  # type: ignore[valid-type]
    body: text(10_000) = ""  # type: ignore[valid-type]
    author_name: text(100) = ""  # type: ignore[valid-type]
    language: Literal["fi", "sv", "en", ""] = ""
    submitted_at: Instant
    published_at: Instant | None = None
    status: Literal["published", "pending"] = "published"
    verified: bool = Field(
        False, description="True if the system that collected it verified the purchase."
    )
    order_external_id: ExternalId | None = None
    customer_external_id: ExternalId | None = None
    fit: Literal["", "runs_small", "true_to_size", "runs_large"] = ""
    reply: text(5_000) = ""  # type: ignore[valid-type]
    replied_at: Instant | None = None


class PublishIn(Payload):
    note: text(2_000) = ""  # type: ignore[valid-type]


class RejectIn(Payload):
    reason: Literal[tuple(RejectionReason.values)] = Field(  # type: ignore[valid-type]
        description="Why: unlawful_content, personal_data, not_about_product, spam, duplicate."
    )
    note: text(2_000) = ""  # type: ignore[valid-type]


class ReplyIn(Payload):
    reply: text(5_000) = Field(description="The shop's public reply; empty removes it.")  # type: ignore[valid-type]


class ReviewFilters(ListFilters):
    status: Literal[tuple(ReviewStatus.values)] | None = Field(None)  # type: ignore[valid-type]
    product_external_id: str | None = Field(None, max_length=100)


def _reviews(shop):
    return (
        Review.objects.for_shop(shop)
        .select_related("product", "variant", "order_line__order", "customer")
        .prefetch_related(
            "photos",
            Prefetch(
                "decisions",
                queryset=ModerationDecision.objects.select_related("actor").order_by("at", "id"),
            ),
        )
    )


def _review(shop, review_id: str | int) -> Review:
    text_id = str(review_id)
    if not text_id.isascii() or not text_id.isdigit() or len(text_id) > 18:
        raise not_found()
    review = _reviews(shop).filter(pk=int(text_id)).first()
    if review is None:
        raise not_found()
    return review


def review_out(review: Review) -> dict:
    return {
        "id": review.pk,
        "status": review.status,
        "product_external_id": review.product.external_id,
        "variant_sku": review.variant.sku if review.variant_id else None,
        "order_external_id": review.order_line.order.external_id if review.order_line_id else None,
        "customer_external_id": review.customer.external_id if review.customer_id else None,
        "external_id": review.external_id or None,
        "source": review.source,
        "rating": review.rating,
        "title": review.title,
        "body": review.body,
        "author_name": review.author_name,
        "language": review.language,
        "fit": review.fit or None,
        "verified_buyer": review.verified_buyer,
        "verification": review.verification,
        "flags": list(review.flags or []),
        "photos": len(review.photos.all()),
        "shop_reply": review.shop_reply or None,
        "replied_at": review.replied_at,
        "submitted_at": review.submitted_at,
        "published_at": review.published_at,
        "decisions": [
            {
                "action": decision.action,
                "reason": decision.reason,
                "note": decision.note,
                "by": decision.actor.get_username() if decision.actor else None,
                "at": decision.at,
            }
            for decision in review.decisions.all()
        ],
        "created_at": review.created_at,
        "updated_at": review.updated_at,
    }


def _out(shop, review_id: int) -> dict:
    return ReviewOut.model_validate(review_out(_review(shop, review_id))).model_dump(mode="json")


def list_reviews(request, filters: Query[ReviewFilters]):
    reviews = _reviews(request.shop)
    if filters.status:
        reviews = reviews.filter(status=filters.status)
    if filters.product_external_id:
        reviews = reviews.filter(product__external_id=filters.product_external_id)
    rows, next_cursor = page(
        reviews,
        cursor=filters.cursor,
        limit=filters.limit,
        updated_since=filters.updated_since,
        updated_before=filters.updated_before,
    )
    return {"items": [review_out(row) for row in rows], "next_cursor": next_cursor}


def get_review(request, review_id: str):
    return review_out(_review(request.shop, review_id))


# Where a CSV column's problem points in the API's body.
POINTERS = {
    "product_id": "/product_external_id",
    "sku": "/variant_sku",
    "order_id": "/order_external_id",
    "customer_id": "/customer_external_id",
}
assert set(POINTERS) <= {column.name for column in COLUMNS}


def import_review(request, payload: ReviewIn):
    shop = request.shop

    def handle():
        row = ReviewRow(
            line=0,
            external_id=payload.external_id,
            product_id=payload.product_external_id,
            sku=payload.variant_sku,
            rating=payload.rating,
            title=payload.title,
            body=payload.body,
            author=payload.author_name,
            language=payload.language,
            submitted_at=payload.submitted_at,
            published_at=payload.published_at,
            status=payload.status,
            verified=payload.verified,
            order_id=payload.order_external_id or "",
            customer_id=payload.customer_external_id or "",
            fit=payload.fit,
            reply=payload.reply,
            replied_at=payload.replied_at,
        )
        stored: list[Review] = []
        try:
            summary = store_reviews(shop, [row], stored)
        except ImportFailed as failed:
            raise Problem(
                404,
                _("Unknown reference"),
                _("The objects named in errors are not in this shop; send them first."),
                kind="unknown-reference",
                errors=[
                    {"pointer": POINTERS.get(p.column, f"/{p.column}"), "detail": p.message}
                    for p in failed.problems
                ],
            ) from None
        return (201 if summary.created else 200), _out(shop, stored[0].pk)

    return idempotent(request, handle)


def _moderate(request, review_id: str, action):
    shop = request.shop
    review = _review(shop, review_id)
    try:
        action(shop, review.pk)
    except services.ModerationRefused as refused:
        raise Problem(409, _("Not possible"), str(refused), kind="moderation-refused") from None
    return _out(shop, review.pk)


def _by_token(request, note: str) -> str:
    """The note kept with an API decision names the token (the audit view shows it)."""
    token = getattr(request, "api_token", None)
    who = _("API token %(name)s") % {"name": token.name} if token else _("API")
    return f"{who}: {note}" if note else who


def publish_review(request, review_id: str, payload: PublishIn):
    return _moderate(
        request,
        review_id,
        lambda shop, pk: services.publish(
            shop, pk, actor=None, note=_by_token(request, payload.note)
        ),
    )


def reject_review(request, review_id: str, payload: RejectIn):
    if payload.reason not in RejectionReason.values:  # the schema already refuses it
        raise invalid_fields([{"pointer": "/reason", "detail": _("is not a reason")}])
    return _moderate(
        request,
        review_id,
        lambda shop, pk: services.reject(
            shop, pk, reason=payload.reason, actor=None, note=_by_token(request, payload.note)
        ),
    )


def reply_to_review(request, review_id: str, payload: ReplyIn):
    return _moderate(
        request,
        review_id,
        lambda shop, pk: services.set_reply(shop, pk, text=payload.reply, actor=None),
    )


def add_review_endpoints(router: Router) -> None:
    router.get(
        "/reviews", response=ReviewPage, tags=["reviews"], summary="The shop's product reviews"
    )(list_reviews)
    router.post(
        "/reviews",
        response={200: ReviewOut, 201: ReviewOut},
        tags=["reviews"],
        summary="Bring in a review collected elsewhere (by external_id; idempotent)",
    )(import_review)
    router.get("/reviews/{review_id}", response=ReviewOut, tags=["reviews"], summary="One review")(
        get_review
    )


def add_moderation_endpoints(router: Router) -> None:
    router.post(
        "/reviews/{review_id}/publish",
        response=ReviewOut,
        tags=["reviews"],
        summary="Publish a review (never chosen by its rating)",
    )(publish_review)
    router.post(
        "/reviews/{review_id}/reject",
        response=ReviewOut,
        tags=["reviews"],
        summary="Reject a review or take it down, with a reason from the fixed list",
    )(reject_review)
    router.post(
        "/reviews/{review_id}/reply",
        response=ReviewOut,
        tags=["reviews"],
        summary="Write, change or remove the shop's public reply",
    )(reply_to_review)
