"""Reviews on the shop's own product pages, public and cacheable (published reviews only).

* ``/s/<shop>/reviews/widget/<product>/`` — the HTML fragment the widget script
  (``static/aftersale/reviews-widget.js``) puts on the product page: summary, distribution,
  sorting, photos, verified badges, shop replies, paging, and the JSON-LD ``Product``;
  ``?lang=fi|sv|en&sort=newest|highest|lowest|photos&page=N``.
* ``/s/<shop>/reviews/products/<product>.jsonld`` — the same JSON-LD on its own.
* ``/s/<shop>/reviews/products/<product>.json`` — the public read API: summary and a page of
  reviews as JSON (no token; limited per client address).
* ``/s/<shop>/reviews/photos/<id>/`` — a published review's photo.
* ``/s/<shop>/reviews/feed.xml`` — the Google Shopping product-ratings feed.

Every answer may be read by any origin (``Access-Control-Allow-Origin: *``: the data is
public, no cookies are read) and is cached for ``MAX_AGE`` seconds with an ``ETag`` from the
product's review version, so an unchanged product answers 304. Another shop's product is a 404.
docs/developers/reviews-widget.md documents them.
"""

from __future__ import annotations

import hashlib
import json
import time

from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aftersale.catalog.models import Product
from aftersale.core import limits
from aftersale.core.limits import client_address
from aftersale.portal.lookup import shop_for
from aftersale.reviews import public
from aftersale.reviews.models import ReviewPhoto
from aftersale.reviews.structured_data import as_script

MAX_AGE = 300
FEED_MAX_AGE = 3600
# Public reads per client address and minute (the widget makes one per page view and click).
READS_PER_MINUTE = 120
# Bumped when the fragment's markup changes, so that caches do not keep the old one.
MARKUP_VERSION = "1"


def _language(request, shop) -> str:
    wanted = request.GET.get("lang", "")[:5].lower()
    if wanted in {"fi", "sv", "en"}:
        return wanted
    return shop.default_language if shop.default_language in {"fi", "sv", "en"} else "en"


def _page_number(request) -> int:
    text = request.GET.get("page", "1")
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 6 else 1


def _sort(request) -> str:
    wanted = request.GET.get("sort", "")
    return wanted if wanted in public.SORTS else public.NEWEST


def _limited(request, shop) -> HttpResponse | None:
    window = int(time.time() // 60)
    key = f"reviews-public:{shop.pk}:{client_address(request)}:{window}"
    if limits.count(key, 120) <= READS_PER_MINUTE:
        return None
    response = JsonResponse(
        {"title": _("Too many requests"), "detail": _("Try again in a minute.")}, status=429
    )
    response["Retry-After"] = str(60 - int(time.time() % 60))
    return _public(response, max_age=0)


def _public(response: HttpResponse, *, max_age: int = MAX_AGE, etag: str = "") -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-store"
    if etag:
        response["ETag"] = etag
        response["Access-Control-Expose-Headers"] = "ETag"
    return response


def _etag(*parts) -> str:
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()
    return quote_etag(digest[:32])


def _not_modified(request, etag: str) -> HttpResponse | None:
    seen = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in seen or f"W/{etag}" in seen or "*" in seen:
        return _public(HttpResponse(status=304), etag=etag)
    return None


def _product(shop, external_id: str) -> Product:
    return get_object_or_404(Product.objects.for_shop(shop), external_id=external_id)


def _photo_url(request, shop, photo_id: int) -> str:
    return request.build_absolute_uri(reverse("portal:review_photo", args=[shop.slug, photo_id]))


@require_GET
def widget(request, shop_slug: str, external_id: str):
    shop = shop_for(shop_slug)
    limited = _limited(request, shop)
    if limited:
        return limited
    product = _product(shop, external_id)
    language, sort, number = _language(request, shop), _sort(request), _page_number(request)
    etag = _etag(MARKUP_VERSION, public.review_version(shop, product), language, sort, number)
    if (unchanged := _not_modified(request, etag)) is not None:
        return unchanged
    with translation.override(language):
        shown = public.product_reviews(shop, product, sort=sort, page=number, language=language)
        for review in shown.reviews:  # absolute: the fragment is shown on the shop's site
            review.photo_urls = [_photo_url(request, shop, p.pk) for p in review.photos.all()]
        fragment_url = reverse("portal:review_widget", args=[shop.slug, product.external_id])
        context = {
            "shop": shop,
            "product": product,
            "shown": shown,
            "language": language,
            "sort": sort,
            "sorts": public.sort_labels(),
            "fragment_url": request.build_absolute_uri(fragment_url),
            "policy_url": public.policy_url(request, shop),
            "json_ld": as_script(public.product_markup(shop, product, shown)),
        }
        response = render(request, "portal/reviews/widget.html", context)
    response["Content-Language"] = language
    return _public(response, etag=etag)


@require_GET
def product_json_ld(request, shop_slug: str, external_id: str):
    shop = shop_for(shop_slug)
    limited = _limited(request, shop)
    if limited:
        return limited
    product = _product(shop, external_id)
    language = _language(request, shop)
    etag = _etag(MARKUP_VERSION, "jsonld", public.review_version(shop, product), language)
    if (unchanged := _not_modified(request, etag)) is not None:
        return unchanged
    shown = public.product_reviews(shop, product, sort=public.NEWEST, page=1, language=language)
    markup = public.product_markup(shop, product, shown)
    response = HttpResponse(
        json.dumps(markup, ensure_ascii=False) if markup else "null",
        content_type="application/ld+json; charset=utf-8",
    )
    return _public(response, etag=etag)


@require_GET
def product_reviews_json(request, shop_slug: str, external_id: str):
    shop = shop_for(shop_slug)
    limited = _limited(request, shop)
    if limited:
        return limited
    product = _product(shop, external_id)
    language, sort, number = _language(request, shop), _sort(request), _page_number(request)
    etag = _etag(MARKUP_VERSION, "json", public.review_version(shop, product), sort, number)
    if (unchanged := _not_modified(request, etag)) is not None:
        return unchanged
    shown = public.product_reviews(shop, product, sort=sort, page=number, language=language)
    body = public.as_json(
        shop, product, shown, photo_url=lambda photo_id: _photo_url(request, shop, photo_id)
    )
    return _public(JsonResponse(body, json_dumps_params={"ensure_ascii": False}), etag=etag)


@require_GET
def review_photo(request, shop_slug: str, photo_id: int):
    shop = shop_for(shop_slug)
    photo = public.published_photo(shop, photo_id)
    if photo is None:
        raise Http404
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=_content_type(photo))
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return _public(response, max_age=86400)


def _content_type(photo: ReviewPhoto) -> str:
    return getattr(photo, "content_type", "") or "image/jpeg"


@require_GET
def ratings_feed(request, shop_slug: str):
    shop = shop_for(shop_slug)
    limited = _limited(request, shop)
    if limited:
        return limited
    etag = _etag(MARKUP_VERSION, "feed", public.shop_review_version(shop))
    if (unchanged := _not_modified(request, etag)) is not None:
        return unchanged
    xml = public.ratings_feed(
        shop,
        product_page=lambda product: public.product_page(request, shop, product),
        photo_url=lambda photo_id: _photo_url(request, shop, photo_id),
    )
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{shop.slug}-product-reviews.xml"'
    return _public(response, max_age=FEED_MAX_AGE, etag=etag)
