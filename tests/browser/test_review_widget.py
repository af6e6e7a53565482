"""In a real Chromium: the shop's own plain HTML product page, served from another origin by a
tiny static file server, embeds the reviews widget with one element and one script tag; the
reviews appear in Finnish, Swedish and English, and sorting and paging work in place."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from aftersale.reviews.models import ReviewStatus
from tests.factories import ProductFactory, VariantFactory
from tests.reviews.showing import review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Merino T-shirt</title></head>
<body><h1>Merino T-shirt</h1><p>39,90 €</p>
<div id="reviews" data-aftersale-reviews data-shop="pohjola" data-product="TEE-1"
     data-lang="{lang}"></div>
<script src="{aftersale}/static/aftersale/reviews-widget.js" async></script>
</body></html>
"""
HEADINGS = {"fi": "Asiakasarviot", "sv": "Kundrecensioner", "en": "Customer reviews"}
BADGES = {"fi": "Vahvistettu ostaja", "sv": "Verifierad köpare", "en": "Verified buyer"}


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def shop_site(tmp_path, live_server):
    """The shop's own web server: plain files on another origin (127.0.0.1 vs localhost)."""
    aftersale = live_server.url.replace("127.0.0.1", "localhost")
    for lang in HEADINGS:
        (tmp_path / f"tee-{lang}.html").write_text(PAGE.format(lang=lang, aftersale=aftersale))
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def reviewed(shop_a):
    tee = ProductFactory(shop=shop_a.shop, external_id="TEE-1", name="Merino T-shirt")
    VariantFactory(shop=shop_a.shop, product=tee, sku="TEE-M")
    for index, rating in enumerate([5, 4, 2, 5, 3, 1]):
        review(shop_a.shop, tee, rating, days_ago=index + 1, title=f"Arvio {index + 1}")
    review(shop_a.shop, tee, 1, status=ReviewStatus.PENDING, title="Odottaa")
    return tee


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_widget_shows_reviews_on_a_plain_product_page(page, shop_site, reviewed, lang):
    page.goto(f"{shop_site}/tee-{lang}.html")
    widget = page.locator("#reviews")
    # The first fetch may be slow on a busy machine (the live server warms up).
    expect(widget.get_by_role("heading", name=HEADINGS[lang])).to_be_visible(timeout=30_000)
    expect(widget.locator(".asr-review")).to_have_count(5)
    expect(widget.get_by_text(BADGES[lang]).first).to_be_visible()
    expect(widget).not_to_contain_text("Odottaa")
    expect(widget.locator("section.asr")).to_have_attribute("lang", lang)
    # The look comes from the stylesheet beside the script (no inline style), added once.
    expect(page.locator("link[data-aftersale-reviews-css]")).to_have_count(1)
    expect(widget.locator(".asr-stars").first).to_have_css("color", "rgb(180, 83, 9)")


def test_sorting_and_paging_happen_in_place(page, shop_site, reviewed):
    page.goto(f"{shop_site}/tee-en.html")
    widget = page.locator("#reviews")
    expect(widget.locator(".asr-review")).to_have_count(5, timeout=30_000)
    widget.get_by_label("Sort by").select_option("lowest")
    expect(widget.locator(".asr-review").first).to_have_attribute("data-rating", "1")
    widget.get_by_role("link", name="Next").click()
    expect(widget.get_by_text("Page 2 of 2")).to_be_visible()
    expect(widget.locator(".asr-review")).to_have_count(1)
    expect(widget.locator(".asr-review").first).to_have_attribute("data-rating", "5")
    assert page.url == f"{shop_site}/tee-en.html"  # still the shop's own page


def test_the_widget_fits_a_390px_phone(phone_page, shop_site, reviewed):
    phone_page.goto(f"{shop_site}/tee-sv.html")
    widget = phone_page.locator("#reviews")
    expect(widget.locator(".asr-review")).to_have_count(5, timeout=30_000)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide with the widget"
