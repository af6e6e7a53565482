"""Product reviews: the review requests sent after receipt, the reviews and their photos, the
moderation decisions (each with its reason) and the shop's review settings.

A review is about one product a customer received. Whether it is shown never depends on its
rating: a review is published by a moderator (with no reason needed) or automatically when the
shop turns auto-publish on, and rejected only with a reason from ``RejectionReason``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped

DEFAULT_DELAY_DAYS = 7
PHOTOS_PER_REVIEW = 3


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


class Fit(models.TextChoices):
    NONE = "", _("No answer")
    RUNS_SMALL = "runs_small", _("Runs small")
    TRUE_TO_SIZE = "true_to_size", _("True to size")
    RUNS_LARGE = "runs_large", _("Runs large")


class Verification(models.TextChoices):
    """How the shop knows the reviewer bought the product."""

    ORDER = "order", _("Bought it: reviewed from a link sent after receipt of the order")
    IMPORTED_VERIFIED = "imported_verified", _("Imported, verified by the earlier service")
    IMPORTED_UNVERIFIED = "imported_unverified", _("Imported, not verified")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class ReviewSource(models.TextChoices):
    REQUEST = "request", _("Review request")
    IMPORTED = "imported", _("Imported")


class RejectionReason(models.TextChoices):
    """The only reasons a review may be rejected or taken down (never its rating)."""

    UNLAWFUL_CONTENT = "unlawful_content", _("Unlawful or offensive content")
    PERSONAL_DATA = "personal_data", _("Contains personal data")
    NOT_ABOUT_PRODUCT = "not_about_product", _("Not about the product")
    SPAM = "spam", _("Spam or advertising")
    DUPLICATE = "duplicate", _("Duplicate of another review")


class Review(TimeStamped):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="reviews")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reviews")
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
    )
    customer = models.ForeignKey(
        "orders.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reviews",
        help_text=_("Empty for imported reviews."),
    )
    author_name = models.CharField(_("author's display name"), max_length=100)
    language = models.CharField(_("language"), max_length=5)
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    title = models.CharField(_("title"), max_length=150, blank=True)
    body = models.TextField(_("review"), blank=True)
    fit = models.CharField(_("fit"), max_length=12, choices=Fit.choices, blank=True, default="")
    verified_buyer = models.BooleanField(_("verified buyer"), default=False)
    verification = models.CharField(_("verification"), max_length=20, choices=Verification.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    source = models.CharField(
        _("source"), max_length=10, choices=ReviewSource.choices, default=ReviewSource.REQUEST
    )
    external_id = models.CharField(
        _("external id"), max_length=100, blank=True, help_text=_("Only for imported reviews.")
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    shop_reply = models.TextField(_("the shop's public reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    flags = models.JSONField(
        _("flags"),
        default=list,
        blank=True,
        help_text=_("What the spam and profanity heuristics noticed; they never reject."),
    )

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
            models.UniqueConstraint(
                fields=["shop", "external_id"],
                condition=~models.Q(external_id=""),
                name="review_unique_external",
            ),
            # One review per order line: the link opens the written review again.
            models.UniqueConstraint(
                fields=["order_line"],
                condition=models.Q(order_line__isnull=False),
                name="review_one_per_order_line",
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "status", "submitted_at"], name="review_queue"),
            models.Index(
                fields=["shop", "product", "published_at"],
                condition=models.Q(status="published"),
                name="review_product_published",
            ),
            models.Index(fields=["shop", "updated_at", "id"], name="review_shop_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.product} – {self.rating}/5 – {self.author_name}"


def review_photo_path(photo: ReviewPhoto, filename: str) -> str:
    """Random names under the shop's folder; the customer's file name is never used on disk."""
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
        photo.content_type, "bin"
    )
    return f"review-photos/{photo.shop_id}/{secrets.token_hex(16)}.{extension}"


class ReviewPhoto(models.Model):
    """A photo with a review, re-encoded on upload (no EXIF, no location) and public once the
    review is published."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=review_photo_path, max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    content_type = models.CharField(_("content type"), max_length=40)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["review", "id"]
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")

    def __str__(self) -> str:
        return self.file.name


class ModerationDecision(models.Model):
    """One moderation step on a review, kept as the audit trail (never edited)."""

    class Action(models.TextChoices):
        PUBLISH = "publish", _("Published")
        REJECT = "reject", _("Rejected")
        UNPUBLISH = "unpublish", _("Taken down")
        EDIT_REPLY = "edit_reply", _("Reply written or changed")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    reason = models.CharField(
        _("reason"), max_length=20, choices=RejectionReason.choices, blank=True, default=""
    )
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the shop's auto-publish setting published it."),
    )
    at = models.DateTimeField(_("at"))

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")
        constraints = [
            # Rejecting or taking down needs a reason from the fixed list.
            models.CheckConstraint(
                condition=~models.Q(action__in=["reject", "unpublish"], reason=""),
                name="moderation_reason_required",
            ),
        ]
        indexes = [models.Index(fields=["shop", "at"], name="moderation_shop_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.review_id}"


class ReviewRequest(TimeStamped):
    """A customer asked to review what one order brought them, timed from actual receipt.

    ``nonce`` goes into the signed link; changing it invalidates links already sent.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="review_requests")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="review_requests"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="review_requests",
        help_text=_("Empty when the request covers every line the parcel brought."),
    )
    shipment = models.ForeignKey(
        "delivery.Shipment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_requests",
    )
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.CASCADE, related_name="review_requests"
    )
    received_at = models.DateTimeField(_("received at"))
    parcel_was_late = models.BooleanField(_("the parcel was late"), default=False)
    due_at = models.DateTimeField(_("due at"))
    released_at = models.DateTimeField(
        _("handed to the review-request flow at"), null=True, blank=True
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    not_asked_reason = models.CharField(
        _("not asked because"),
        max_length=200,
        blank=True,
        help_text=_("Why the request was dropped when it fell due (e.g. the item was returned)."),
    )
    nonce = models.CharField(max_length=24, default=new_nonce)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-due_at", "-id"]
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        constraints = [
            models.UniqueConstraint(
                fields=["shipment"],
                condition=models.Q(shipment__isnull=False),
                name="review_request_one_per_shipment",
            )
        ]
        indexes = [models.Index(fields=["shop", "due_at"], name="review_request_due")]

    def __str__(self) -> str:
        return f"{self.order} ({self.due_at:%Y-%m-%d})"


class TimelineCursor(models.Model):
    """How far the review-request planner has read the timeline: a durable position."""

    name = models.CharField(max_length=50, unique=True)
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}@{self.last_event_id}"


class ReviewSettings(TimeStamped):
    """How a shop asks for and moderates reviews; the public policy page is generated from it."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="review_settings")
    auto_publish = models.BooleanField(
        _("publish reviews without moderation"),
        default=False,
        help_text=_(
            "Every review is published at once, whatever its rating; you can still take one "
            "down with a reason."
        ),
    )
    default_delay_days = models.PositiveSmallIntegerField(
        _("ask after (days from receipt)"),
        default=DEFAULT_DELAY_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    category_delays = models.JSONField(
        _("days from receipt per category"),
        default=dict,
        blank=True,
        help_text=_('By category id, e.g. {"12": 14} for electronics tried out longer.'),
    )
    fit_categories = models.JSONField(
        _("categories that ask about fit"),
        default=list,
        blank=True,
        help_text=_("Category ids of clothing and shoes: the review page asks how they fit."),
    )
    verification_text = models.TextField(
        _("how you check reviewers, in your words"),
        blank=True,
        help_text=_("Added to the generated policy page; leave empty to use the standard text."),
    )

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("review settings")
        verbose_name_plural = _("review settings")

    def __str__(self) -> str:
        return str(self.shop)

    def delay_days_for(self, category_id: int | None) -> int:
        """Days after receipt to ask about a product of ``category_id`` (the default if unset)."""
        if category_id is not None:
            days = (self.category_delays or {}).get(str(category_id))
            if isinstance(days, int) and days > 0:
                return days
        return self.default_delay_days

    def asks_fit(self, category_id: int | None) -> bool:
        return category_id is not None and category_id in set(self.fit_categories or [])
