"""Reviews for the tests of showing them (widget, JSON-LD, feed, API, analytics)."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from aftersale.reviews.models import (
    Review,
    ReviewPhoto,
    ReviewSource,
    ReviewStatus,
    Verification,
)


def review(shop, product, rating=5, *, status=ReviewStatus.PUBLISHED, days_ago=1, **fields):
    now = timezone.now()
    values = {
        "author_name": "Aino K.",
        "language": "fi",
        "body": "Lämmin ja pehmeä.",
        "verification": Verification.ORDER,
        "verified_buyer": True,
        "source": ReviewSource.REQUEST,
        "submitted_at": now - timedelta(days=days_ago, hours=1),
        "published_at": now - timedelta(days=days_ago)
        if status == ReviewStatus.PUBLISHED
        else None,
        **fields,
    }
    return Review.objects.create(shop=shop, product=product, rating=rating, status=status, **values)


def photo(review_row) -> ReviewPhoto:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(buffer, "JPEG")
    row = ReviewPhoto(
        shop=review_row.shop, review=review_row, width=8, height=8, content_type="image/jpeg"
    )
    row.file.save("p.jpg", ContentFile(buffer.getvalue()), save=False)
    row.size_bytes = len(buffer.getvalue())
    row.save()
    return row
