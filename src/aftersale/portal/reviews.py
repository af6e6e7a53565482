"""The review page a request's e-mail links to, its thank-you page, and the shop's
generated "how we check reviews" page.

The signed token in the link is the only credential (no password): it names one request in
one shop; another shop's token, a changed one or a retired one is a 404. The page shows the
products the customer kept from the order, each with a star rating (a radio group that works
without JavaScript), title, text, up to three photos and, for clothing, how it fits.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods

from aftersale.portal.lookup import shop_for
from aftersale.reviews import policy
from aftersale.reviews.links import request_for_token
from aftersale.reviews.models import PHOTOS_PER_REVIEW, Fit, Review, ReviewRequest
from aftersale.reviews.photos import PHOTO_MAX_BYTES
from aftersale.reviews.requests import kept_lines
from aftersale.reviews.selectors import settings_of
from aftersale.reviews.services import ReviewInvalid, Written, display_name, submit_reviews

STARS = (1, 2, 3, 4, 5)


def _language(request, customer=None, shop=None) -> str:
    """The visitor's chosen language, else the customer's, else the shop's."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    codes = {code for code, _name in settings.LANGUAGES}
    preferred = (chosen, getattr(customer, "language", ""), getattr(shop, "default_language", ""))
    for language in preferred:
        if language in codes:
            return language
    return settings.LANGUAGE_CODE


def _request_or_404(shop, token: str) -> ReviewRequest:
    found = request_for_token(shop, token)
    if found is None or found.not_asked_reason:
        raise Http404
    return found


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _written(request, lines) -> list[Written]:
    return [
        Written(
            order_line_id=line.pk,
            rating=_int(request.POST.get(f"rating-{line.pk}")),
            title=request.POST.get(f"title-{line.pk}", ""),
            body=request.POST.get(f"body-{line.pk}", ""),
            fit=request.POST.get(f"fit-{line.pk}", ""),
            photos=request.FILES.getlist(f"photos-{line.pk}"),
        )
        for line in lines
    ]


@require_http_methods(["GET", "POST"])
def review_page(request, shop_slug: str, token: str):
    shop = shop_for(shop_slug)
    review_request = _request_or_404(shop, token)
    customer = review_request.customer
    language = _language(request, customer, shop)
    review_settings = settings_of(shop)
    lines = kept_lines(shop, review_request.order_id)
    reviewed = {
        r.order_line_id: r for r in Review.objects.for_shop(shop).filter(order_line__in=lines)
    }
    errors: dict[str, str] = {}
    author_name = display_name(customer)
    written = {}
    with translation.override(language):
        if request.method == "POST":
            author_name = request.POST.get("author_name", "")
            entries = _written(request, lines)
            written = {w.order_line_id: w for w in entries}
            try:
                submit_reviews(review_request, entries, author_name=author_name, language=language)
            except ReviewInvalid as invalid:
                errors = invalid.errors
            else:
                return redirect("portal:review_thanks", shop.slug, token)
        rows = [
            {
                "line": line,
                "review": reviewed.get(line.pk),
                "written": written.get(line.pk),
                "asks_fit": review_settings.asks_fit(line.variant.product.category_id),
                "errors": {
                    part: errors.get(f"{part}-{line.pk}", "")
                    for part in ("rating", "title", "body", "fit", "photos")
                },
            }
            for line in lines
        ]
        response = render(
            request,
            "portal/reviews/write.html",
            {
                "shop": shop,
                "order": review_request.order,
                "rows": rows,
                "open_rows": [row for row in rows if row["review"] is None],
                "stars": STARS,
                "fits": [(value, label) for value, label in Fit.choices if value],
                "author_name": author_name,
                "errors": errors,
                "general_error": errors.get("__all__", ""),
                "photos_per_review": PHOTOS_PER_REVIEW,
                "photo_limit_mb": PHOTO_MAX_BYTES // 1024 // 1024,
                "verified": True,
            },
            status=400 if errors else 200,
        )
    response["Content-Language"] = language
    response["Cache-Control"] = "private, no-store"
    # The token is in the address: never sent to another site (same-origin keeps the
    # Origin header that CSRF checks on the form).
    response["Referrer-Policy"] = "same-origin"
    return response


@require_GET
def review_thanks(request, shop_slug: str, token: str):
    shop = shop_for(shop_slug)
    review_request = _request_or_404(shop, token)
    language = _language(request, review_request.customer, shop)
    with translation.override(language):
        reviews = Review.objects.for_shop(shop).filter(order_line__order_id=review_request.order_id)
        response = render(
            request,
            "portal/reviews/thanks.html",
            {
                "shop": shop,
                "reviews": list(reviews),
                "auto_publish": settings_of(shop).auto_publish,
            },
        )
    response["Content-Language"] = language
    response["Referrer-Policy"] = "same-origin"
    return response


@require_GET
def review_policy(request, shop_slug: str):
    shop = shop_for(shop_slug)
    language = _language(request, None, shop)
    with translation.override(language):
        response = render(
            request,
            "portal/reviews/policy.html",
            {"shop": shop, "policy": policy.policy_for(shop)},
        )
    response["Content-Language"] = language
    return response
