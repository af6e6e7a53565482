"""What the timeline (and so the outbound webhooks) says about a review."""

from __future__ import annotations

from aftersale.reviews.models import Review


def event_payload(review: Review, **extra) -> dict:
    """``data`` of ``review.submitted``, ``review.published`` and ``review.rejected``: the
    review as the API shows it, without the customer's e-mail (the event names the customer)."""
    return {
        "review_id": review.pk,
        "product_id": review.product_id,
        "product_external_id": review.product.external_id,
        "variant_sku": review.variant.sku if review.variant_id else None,
        "order_external_id": review.order_line.order.external_id if review.order_line_id else None,
        "rating": review.rating,
        "title": review.title,
        "body": review.body,
        "author_name": review.author_name,
        "language": review.language,
        "fit": review.fit or None,
        "verified_buyer": review.verified_buyer,
        "verification": review.verification,
        "source": review.source,
        "external_id": review.external_id or None,
        "status": review.status,
        **extra,
    }
