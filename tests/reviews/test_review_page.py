"""The review page behind the e-mail's signed link: no password, one request in one shop,
star ratings, text, photos without location data, fit for clothing, a thank-you page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from aftersale.returns.models import ReturnState
from aftersale.reviews.links import request_token
from aftersale.reviews.models import (
    ModerationDecision,
    Review,
    ReviewPhoto,
    ReviewRequest,
    ReviewSettings,
    ReviewStatus,
)
from tests.factories import ReturnLineFactory, ReturnRequestFactory
from tests.reviews.helpers import category, order_with, parcel, product
from tests.reviews.photos import GPS_IFD, jpeg_with_location, not_an_image, png


def make_request(shop, *products, **order_fields) -> ReviewRequest:
    order = order_with(shop, *products, **order_fields)
    shipment = parcel(order)
    now = timezone.now()
    return ReviewRequest.objects.create(
        shop=shop,
        order=order,
        shipment=shipment,
        customer=order.customer,
        received_at=now - timedelta(days=7),
        due_at=now,
        released_at=now,
    )


def url(request: ReviewRequest, shop=None) -> str:
    return f"/s/{(shop or request.shop).slug}/review/{request_token(request)}/"


@pytest.fixture
def review_request(shop):
    return make_request(shop, product(shop, "Merino T-shirt"))


def line_of(review_request):
    return review_request.order.lines.get()


def test_it_opens_without_a_password_and_shows_stars_as_a_radio_group(client, review_request):
    response = client.get(url(review_request))
    assert response.status_code == 200
    html = response.content.decode()
    line = line_of(review_request)
    assert "Merino T-shirt" in html
    assert html.count(f'type="radio" id="rating-{line.pk}-') == 5
    assert "Verified buyer" in html or "Vahvistettu ostaja" in html
    assert response["Cache-Control"] == "private, no-store"


def test_another_shops_link_a_changed_token_or_a_retired_link_is_a_404(
    client, review_request, shop_b
):
    assert client.get(url(review_request, shop_b.shop)).status_code == 404
    assert client.get(f"/s/{review_request.shop.slug}/review/nonsense/").status_code == 404
    token = request_token(review_request)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/s/{review_request.shop.slug}/review/{tampered}/").status_code == 404
    old = url(review_request)
    review_request.nonce = "retired"
    review_request.save()
    assert client.get(old).status_code == 404


def test_writing_a_review_saves_it_verified_and_pending_and_thanks(client, review_request):
    line = line_of(review_request)
    response = client.post(
        url(review_request),
        {
            f"rating-{line.pk}": "2",
            f"title-{line.pk}": "Pilled quickly",
            f"body-{line.pk}": "Soft, but it pilled after two washes.",
            "author_name": "Aino V.",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/thanks/")
    review = Review.objects.get()
    assert (review.rating, review.status, review.verified_buyer) == (2, "pending", True)
    assert (review.product_id, review.customer_id) == (
        line.variant.product_id,
        review_request.customer_id,
    )
    assert review.author_name == "Aino V." and review.verification == "order"
    review_request.refresh_from_db()
    assert review_request.answered_at is not None
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    # The link shows what was written instead of a second form.
    again = client.get(url(review_request)).content.decode()
    assert f'name="rating-{line.pk}"' not in again


def test_words_without_stars_are_refused_naming_the_product(client, review_request):
    line = line_of(review_request)
    response = client.post(
        url(review_request),
        {f"body-{line.pk}": "Nice", "author_name": "Aino"},
        HTTP_ACCEPT_LANGUAGE="en",
        headers={"Cookie": "django_language=en"},
    )
    assert response.status_code == 400
    assert "Choose 1 to 5 stars for Merino T-shirt." in response.content.decode()
    assert not Review.objects.exists()


def test_an_empty_form_asks_for_stars(client, review_request):
    client.cookies["django_language"] = "en"
    response = client.post(url(review_request), {"author_name": "Aino"})
    assert response.status_code == 400
    assert "Choose stars for at least one product" in response.content.decode()


def test_a_photo_loses_its_gps_location_and_camera_data_and_stays_upright(client, review_request):
    line = line_of(review_request)
    upload = jpeg_with_location(width=40, height=20)
    with Image.open(upload) as original:
        assert original.getexif().get_ifd(GPS_IFD)  # the test photo really has a location
    upload.seek(0)
    response = client.post(
        url(review_request),
        {f"rating-{line.pk}": "5", "author_name": "Aino", f"photos-{line.pk}": [upload]},
    )
    assert response.status_code == 302
    photo = ReviewPhoto.objects.get()
    with photo.file.open("rb") as stored, Image.open(stored) as saved:
        assert saved.format == "JPEG"
        exif = saved.getexif()
        assert not exif.get_ifd(GPS_IFD) and len(exif) == 0
        assert "exif" not in saved.info
        # Orientation 6 was applied to the pixels: 40 × 20 became 20 × 40.
        assert saved.size == (20, 40)
    assert (photo.width, photo.height, photo.content_type) == (20, 40, "image/jpeg")
    assert "holiday" not in photo.file.name


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(client, review_request):
    client.cookies["django_language"] = "en"
    line = line_of(review_request)
    response = client.post(
        url(review_request),
        {f"rating-{line.pk}": "4", "author_name": "Aino", f"photos-{line.pk}": [not_an_image()]},
    )
    assert response.status_code == 400
    assert "virus.jpg is not a photo we can accept" in response.content.decode()
    assert not Review.objects.exists() and not ReviewPhoto.objects.exists()


def test_at_most_three_photos_and_a_size_limit(client, review_request, monkeypatch):
    client.cookies["django_language"] = "en"
    line = line_of(review_request)
    four = [png(f"p{i}.png") for i in range(4)]
    response = client.post(
        url(review_request),
        {f"rating-{line.pk}": "4", "author_name": "Aino", f"photos-{line.pk}": four},
    )
    assert "Add at most 3 photos per product." in response.content.decode()
    monkeypatch.setattr("aftersale.reviews.photos.PHOTO_MAX_BYTES", 50)
    response = client.post(
        url(review_request),
        {f"rating-{line.pk}": "4", "author_name": "Aino", f"photos-{line.pk}": [png("big.png")]},
    )
    assert "big.png is too large" in response.content.decode()
    assert not Review.objects.exists()


def test_clothing_asks_how_it_fits_and_other_products_do_not(client, shop):
    clothes, gadgets = category(shop, "Clothes"), category(shop, "Gadgets")
    ReviewSettings.objects.create(shop=shop, fit_categories=[clothes.pk])
    request = make_request(
        shop, product(shop, "Jeans", category=clothes), product(shop, "Lamp", category=gadgets)
    )
    jeans, lamp = (request.order.lines.get(name=name) for name in ("Jeans", "Lamp"))
    html = client.get(url(request)).content.decode()
    assert f'name="fit-{jeans.pk}"' in html and f'name="fit-{lamp.pk}"' not in html
    client.post(
        url(request),
        {
            f"rating-{jeans.pk}": "4",
            f"fit-{jeans.pk}": "runs_small",
            f"rating-{lamp.pk}": "5",
            f"fit-{lamp.pk}": "runs_large",
            "author_name": "Aino",
        },
    )
    fits = dict(Review.objects.values_list("product__name", "fit"))
    assert fits == {"Jeans": "runs_small", "Lamp": ""}


def test_a_returned_item_is_not_on_the_page(client, shop):
    request = make_request(shop, product(shop, "Kept scarf"), product(shop, "Returned hat"))
    ReturnLineFactory(
        return_request=ReturnRequestFactory(order=request.order, state=ReturnState.RECEIVED),
        order_line=request.order.lines.get(name="Returned hat"),
    )
    html = client.get(url(request)).content.decode()
    assert "Kept scarf" in html and "Returned hat" not in html


def test_auto_publish_publishes_every_rating_but_holds_flagged_ones(client, shop):
    ReviewSettings.objects.create(shop=shop, auto_publish=True)
    request = make_request(shop, product(shop, "Cap"), product(shop, "Gloves"))
    cap, gloves = (request.order.lines.get(name=name) for name in ("Cap", "Gloves"))
    client.post(
        url(request),
        {
            f"rating-{cap.pk}": "1",
            f"body-{cap.pk}": "Fell apart.",
            f"rating-{gloves.pk}": "5",
            f"body-{gloves.pk}": "Great, buy cheap gloves at www.example-spam.xyz",
            "author_name": "Aino",
        },
    )
    statuses = dict(Review.objects.values_list("product__name", "status"))
    assert statuses == {"Cap": ReviewStatus.PUBLISHED, "Gloves": ReviewStatus.PENDING}
    decision = ModerationDecision.objects.get()
    assert decision.action == "publish" and decision.actor is None
    assert Review.objects.get(product__name="Gloves").flags == ["spam: link"]


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fi", "Mitä pidit ostoksestasi?"), ("sv", "Vad tyckte du om ditt köp?"),
     ("en", "How did you like your purchase?")],
)  # fmt: skip
def test_the_page_speaks_the_customers_language(client, shop, language, heading):
    request = make_request(shop, product(shop))
    request.customer.language = language
    request.customer.save()
    response = client.get(url(request))
    assert heading in response.content.decode()
    assert response["Content-Language"] == language
