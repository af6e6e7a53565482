"""Changing reviews: writing them from a request's link, moderating them (never by rating),
the shop's public reply, and the shop's review settings.

Every change records its timeline event; a rejection or take-down needs a reason from the
fixed list and is kept as a ``ModerationDecision`` (the audit trail).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.loyalty.earning import award_review_bonus
from aftersale.reviews.heuristics import flags_for
from aftersale.reviews.models import (
    PHOTOS_PER_REVIEW,
    Fit,
    ModerationDecision,
    RejectionReason,
    Review,
    ReviewPhoto,
    ReviewRequest,
    ReviewSettings,
    ReviewStatus,
    Verification,
)
from aftersale.reviews.photos import PhotoRejected, clean_photo
from aftersale.reviews.requests import kept_lines
from aftersale.reviews.selectors import settings_of
from aftersale.timeline import types
from aftersale.timeline.services import record_event

TITLE_MAX = 150
BODY_MAX = 5000
NAME_MAX = 100


class ReviewInvalid(Exception):
    """What is wrong, by form field (e.g. ``rating-12``), in words the customer can act on."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Written:
    """One product's part of the review form: ``order_line_id`` and what the customer gave."""

    order_line_id: int
    rating: int | None = None
    title: str = ""
    body: str = ""
    fit: str = ""
    photos: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.rating is None and not (self.title.strip() or self.body.strip() or self.photos)


def display_name(customer) -> str:
    """First name and the initial of the last name ("Aino V."): the default name shown."""
    first = (customer.first_name or "").strip()
    initial = (customer.last_name or "").strip()[:1]
    return f"{first} {initial}.".strip() if initial else first


def _event(review: Review, type: str, now: datetime, **payload) -> None:
    record_event(
        review.shop,
        type,
        subject=review,
        customer=review.customer,
        payload={"product_id": review.product_id, **payload},
        occurred_at=now,
    )


@transaction.atomic
def submit_reviews(
    request: ReviewRequest, written: list[Written], *, author_name: str, language: str
) -> list[Review]:
    """Save the customer's reviews of the products the request asks about.

    Products left empty are skipped; a product with words or photos but no stars, more than
    three photos, a photo we cannot use or a name left empty is refused as a whole
    (``ReviewInvalid``), nothing saved. A product already reviewed is not reviewed again.
    """
    now = timezone.now()
    shop = request.shop
    review_settings = settings_of(shop)
    lines = {line.pk: line for line in kept_lines(shop, request.order_id)}
    done = set(
        Review.objects.for_shop(shop)
        .filter(order_line_id__in=lines)
        .values_list("order_line_id", flat=True)
    )
    errors: dict[str, str] = {}
    author_name = " ".join((author_name or "").split())[:NAME_MAX]
    chosen = [w for w in written if not w.is_empty and w.order_line_id in lines]
    chosen = [w for w in chosen if w.order_line_id not in done]
    if not chosen:
        errors["__all__"] = _("Choose stars for at least one product before sending.")
    if chosen and not author_name:
        errors["author_name"] = _("Write the name to show with your review, e.g. Aino V.")
    cleaned: dict[int, list] = {}
    for entry in chosen:
        key = entry.order_line_id
        name = lines[key].name
        if entry.rating not in (1, 2, 3, 4, 5):
            errors[f"rating-{key}"] = _("Choose 1 to 5 stars for %(product)s.") % {"product": name}
        if len(entry.title) > TITLE_MAX:
            errors[f"title-{key}"] = _("Shorten the title to %(max)s characters.") % {
                "max": TITLE_MAX
            }
        if len(entry.body) > BODY_MAX:
            errors[f"body-{key}"] = _("Shorten the review to %(max)s characters.") % {
                "max": BODY_MAX
            }
        if entry.fit and entry.fit not in Fit.values:
            errors[f"fit-{key}"] = _("Choose how %(product)s fits from the list.") % {
                "product": name
            }
        if len(entry.photos) > PHOTOS_PER_REVIEW:
            errors[f"photos-{key}"] = _("Add at most %(count)s photos per product.") % {
                "count": PHOTOS_PER_REVIEW
            }
            continue
        try:
            cleaned[key] = [clean_photo(upload) for upload in entry.photos]
        except PhotoRejected as rejected:
            errors[f"photos-{key}"] = str(rejected)
    if errors:
        raise ReviewInvalid(errors)

    reviews = []
    for entry in chosen:
        line = lines[entry.order_line_id]
        category_id = line.variant.product.category_id
        title, body = entry.title.strip(), entry.body.strip()
        flags = flags_for(title, body, author_name)
        publish = review_settings.auto_publish and not flags
        review = Review.objects.create(
            shop=shop,
            product=line.variant.product,
            variant=line.variant,
            order_line=line,
            customer=request.customer,
            author_name=author_name,
            language=language,
            rating=entry.rating,
            title=title,
            body=body,
            fit=entry.fit if review_settings.asks_fit(category_id) else "",
            verified_buyer=True,
            verification=Verification.ORDER,
            status=ReviewStatus.PUBLISHED if publish else ReviewStatus.PENDING,
            submitted_at=now,
            published_at=now if publish else None,
            flags=flags,
        )
        for photo in cleaned.get(entry.order_line_id, []):
            row = ReviewPhoto(
                shop=shop,
                review=review,
                width=photo.width,
                height=photo.height,
                content_type=photo.content_type,
                size_bytes=photo.content.size,
            )
            row.file.save("photo", photo.content, save=False)
            row.save()
        _event(review, types.REVIEW_SUBMITTED, now, rating=review.rating)
        if publish:
            ModerationDecision.objects.create(
                shop=shop,
                review=review,
                action=ModerationDecision.Action.PUBLISH,
                note=_("Published automatically (the shop's auto-publish setting)."),
                at=now,
            )
            _event(review, types.REVIEW_PUBLISHED, now, automatic=True)
        if body:  # the loyalty bonus, if any, is for every written review whatever its rating
            award_review_bonus(shop, request.customer, review_id=review.pk, at=now)
        reviews.append(review)
    ReviewRequest.objects.filter(pk=request.pk, answered_at__isnull=True).update(answered_at=now)
    return reviews


# --- Moderation ---------------------------------------------------------------------------


class ModerationRefused(Exception):
    """The action is not possible (no reason given, already in that state); says why."""


def _locked(shop, review_id: int) -> Review:
    return Review.objects.for_shop(shop).select_for_update().get(pk=review_id)


def _check_reason(reason: str) -> None:
    if reason not in RejectionReason.values:
        raise ModerationRefused(
            _("Choose the reason from the list: a review is never rejected without one.")
        )


@transaction.atomic
def publish(shop, review_id: int, *, actor, note: str = "") -> Review:
    """Publish a pending or rejected review (``Review.DoesNotExist`` for another shop's)."""
    review = _locked(shop, review_id)
    if review.status == ReviewStatus.PUBLISHED:
        raise ModerationRefused(_("The review is already published."))
    now = timezone.now()
    review.status = ReviewStatus.PUBLISHED
    review.published_at = now
    review.save(update_fields=["status", "published_at", "updated_at"])
    ModerationDecision.objects.create(
        shop=shop, review=review, action=ModerationDecision.Action.PUBLISH, note=note,
        actor=actor, at=now,
    )  # fmt: skip
    _event(review, types.REVIEW_PUBLISHED, now, by=actor.get_username() if actor else "")
    return review


@transaction.atomic
def reject(shop, review_id: int, *, reason: str, actor, note: str = "") -> Review:
    """Reject a pending review, or take a published one down, for a reason from the list."""
    _check_reason(reason)
    review = _locked(shop, review_id)
    if review.status == ReviewStatus.REJECTED:
        raise ModerationRefused(_("The review is already rejected."))
    now = timezone.now()
    was_published = review.status == ReviewStatus.PUBLISHED
    action = (
        ModerationDecision.Action.UNPUBLISH if was_published else ModerationDecision.Action.REJECT
    )
    review.status = ReviewStatus.REJECTED
    review.published_at = None
    review.save(update_fields=["status", "published_at", "updated_at"])
    ModerationDecision.objects.create(
        shop=shop, review=review, action=action, reason=reason, note=note, actor=actor, at=now
    )
    event = types.REVIEW_UNPUBLISHED if was_published else types.REVIEW_REJECTED
    _event(review, event, now, reason=reason, by=actor.get_username() if actor else "")
    return review


@transaction.atomic
def set_reply(shop, review_id: int, *, text: str, actor) -> Review:
    """Write, change or remove (empty text) the shop's public reply to a review."""
    review = _locked(shop, review_id)
    text = (text or "").strip()
    if len(text) > BODY_MAX:
        raise ModerationRefused(_("Shorten the reply to %(max)s characters.") % {"max": BODY_MAX})
    now = timezone.now()
    review.shop_reply = text
    review.replied_at = now if text else None
    review.save(update_fields=["shop_reply", "replied_at", "updated_at"])
    ModerationDecision.objects.create(
        shop=shop, review=review, action=ModerationDecision.Action.EDIT_REPLY, note=text,
        actor=actor, at=now,
    )  # fmt: skip
    return review


@transaction.atomic
def save_settings(
    shop,
    *,
    auto_publish: bool,
    default_delay_days: int,
    category_delays: dict[str, int],
    fit_categories: list[int],
    verification_text: str,
) -> ReviewSettings:
    """Save the shop's review settings (the policy page follows them at once)."""
    review_settings, _created = ReviewSettings.objects.get_or_create(shop=shop)
    review_settings.auto_publish = auto_publish
    review_settings.default_delay_days = default_delay_days
    review_settings.category_delays = {str(k): int(v) for k, v in category_delays.items()}
    review_settings.fit_categories = sorted({int(c) for c in fit_categories})
    review_settings.verification_text = verification_text.strip()
    review_settings.full_clean()
    review_settings.save()
    return review_settings
