"""In a real Chromium on a phone, in Finnish, Swedish and English: a customer opens the review
link from the e-mail, is told to choose stars when sending none, picks stars with the keyboard
(the rating is a plain radio group), writes a title and text, adds a photo taken with GPS on,
says how it fits, sends, and sees the thank-you page. The photo is stored without location."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from aftersale.reviews.links import request_token
from aftersale.reviews.models import Review, ReviewPhoto, ReviewRequest, ReviewSettings
from tests.factories import CategoryFactory, CustomerFactory, ProductFactory
from tests.reviews.helpers import order_with, parcel
from tests.reviews.photos import GPS_IFD, jpeg_with_location

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = {
    "fi": {
        "heading": "Mitä pidit ostoksestasi?",
        "choose": "Valitse tähdet vähintään yhdelle tuotteelle ennen lähettämistä.",
        "star": "4 tähteä",
        "title": "Otsikko (valinnainen)",
        "body": "Arviosi (valinnainen)",
        "fit": "Normaali koko",
        "send": "Lähetä arvio",
        "thanks": "Kiitos arviostasi!",
        "badge": "Vahvistettu ostaja",
    },
    "sv": {
        "heading": "Vad tyckte du om ditt köp?",
        "choose": "Välj stjärnor för minst en produkt innan du skickar.",
        "star": "4 stjärnor",
        "title": "Rubrik (valfritt)",
        "body": "Ditt omdöme (valfritt)",
        "fit": "Normal storlek",
        "send": "Skicka omdöme",
        "thanks": "Tack för ditt omdöme!",
        "badge": "Verifierad köpare",
    },
    "en": {
        "heading": "How did you like your purchase?",
        "choose": "Choose stars for at least one product before sending.",
        "star": "4 stars",
        "title": "Title (optional)",
        "body": "Your review (optional)",
        "fit": "True to size",
        "send": "Send review",
        "thanks": "Thank you for your review!",
        "badge": "Verified buyer",
    },
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_customer_reviews_what_they_received(
    browser, live_server, shop_a, screenshot, tmp_path, language
):
    words = LANGUAGES[language]
    shop = shop_a.shop
    clothes = CategoryFactory(shop=shop, name="Clothes")
    ReviewSettings.objects.create(shop=shop, fit_categories=[clothes.pk])
    customer = CustomerFactory(shop=shop, language=language, first_name="Aino")
    order = order_with(
        shop, ProductFactory(shop=shop, name="Merino shirt", category=clothes), customer=customer
    )
    now = timezone.now()
    request = ReviewRequest.objects.create(
        shop=shop, order=order, shipment=parcel(order), customer=customer,
        received_at=now - timedelta(days=7), due_at=now, released_at=now,
    )  # fmt: skip
    photo = tmp_path / "holiday.jpg"
    photo.write_bytes(jpeg_with_location().read())

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/s/{shop.slug}/review/{request_token(request)}/")
        page.get_by_role("heading", name=words["heading"], level=1).wait_for()
        assert page.get_by_text(words["badge"], exact=True).is_visible()

        page.get_by_role("button", name=words["send"]).click()
        page.get_by_role("alert").filter(has_text=words["choose"]).wait_for()
        assert not Review.objects.exists()

        # The stars are radios: focus the first, move to the fourth with the arrow keys.
        stars = page.get_by_role("radio", name=words["star"])
        page.locator("input[name^=rating-]").first.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        assert stars.is_checked()
        page.get_by_label(words["title"]).fill("Lämmin / Varm / Warm")
        page.get_by_label(words["body"]).fill("Soft wool, kept its shape after washing.")
        page.get_by_label(words["fit"]).check()
        page.locator("input[type=file]").set_input_files(str(photo))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, f"review-page-{language}")
        page.get_by_role("button", name=words["send"]).click()
        page.get_by_role("heading", name=words["thanks"], level=1).wait_for()
        screenshot(page, f"review-thanks-{language}")
    finally:
        context.close()

    review = Review.objects.get()
    assert (review.rating, review.fit, review.language, review.verified_buyer) == (
        4,
        "true_to_size",
        language,
        True,
    )
    stored = ReviewPhoto.objects.get(review=review)
    with stored.file.open("rb") as handle, Image.open(handle) as image:
        assert not image.getexif().get_ifd(GPS_IFD) and len(image.getexif()) == 0
