"""What the reviews app holds about a customer (see aftersale/privacy/registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.privacy.registry import (
    declare,
    declare_no_customer_data,
    delete,
    keep,
)
from aftersale.reviews.models import (
    ModerationDecision,
    Review,
    ReviewPhoto,
    ReviewRequest,
    ReviewSettings,
)

declare(
    Review,
    customer="customer",
    why=_("The customer's reviews: rating, title, text, fit answer and the name shown."),
    erase=delete(),
)
declare(
    ReviewPhoto,
    customer="review__customer",
    why=_("Photos the customer added to a review."),
    export=("id", "review_id", "content_type", "width", "height", "size_bytes", "created_at"),
    files=("file",),
    erase=delete(),
)
declare(
    ModerationDecision,
    customer="review__customer",
    why=_("The shop's moderation of the customer's reviews and the reasons it gave."),
    erase=delete(),
)
declare(
    ReviewRequest,
    customer="customer",
    why=_("When the customer was asked for a review and whether they answered."),
    erase=keep(_("Dates and order references only, no words of the customer.")),
)
declare_no_customer_data(
    ReviewSettings, _("The shop's review settings and its own wording about checks.")
)
