"""The help centre in a real Chromium, in Finnish, Swedish and English, on a desktop and a phone:
search, open an article, answer "did this help?" (htmx), and the opening status."""

from __future__ import annotations

import pytest

from aftersale.service.help.models import HelpArticle
from aftersale.service.help.starter import create_starter_articles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (language, search words, the article's title, "did this help?", yes, thanks, answer time)
LANGUAGES = [
    (
        "fi",
        "palautus",
        "Kuinka kauan minulla on aikaa palauttaa tuote?",
        "Auttoiko tämä?",
        "Kyllä",
        "Kiitos vastauksestasi.",
        "Vastaamme 1 arkipäivän kuluessa.",
    ),
    (
        "sv",
        "returnera",
        "Hur länge har jag på mig att returnera en vara?",
        "Hjälpte det här?",
        "Ja",
        "Tack för ditt svar.",
        "Vi svarar inom 1 arbetsdag.",
    ),
    (
        "en",
        "return",
        "How long do I have to return an item?",
        "Did this help?",
        "Yes",
        "Thank you for your answer.",
        "We answer within 1 business day.",
    ),
]


def wider_than_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


@pytest.fixture
def starter_shop(shop_a):
    create_starter_articles(shop_a.shop)
    return shop_a.shop


@pytest.mark.parametrize("device", ["page", "phone_page"])
@pytest.mark.parametrize("language, words, title, question, yes, thanks, promise", LANGUAGES)
def test_a_customer_searches_reads_and_answers(
    request,
    live_server,
    starter_shop,
    device,
    language,
    words,
    title,
    question,
    yes,
    thanks,
    promise,
):
    page = request.getfixturevalue(device)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/s/pohjola/help/")
    assert promise in page.locator("main [data-opening-status]").inner_text()
    page.locator("#help-q").fill(words)
    page.locator("#help-q").press("Enter")
    page.wait_for_url("**/help/?q=*")
    first = page.locator(".help-results li a").first
    assert first.inner_text() == title
    assert not wider_than_the_screen(page)
    first.click()
    page.get_by_role("heading", name=title).wait_for()
    assert not wider_than_the_screen(page)
    page.get_by_role("heading", name=question).wait_for()
    page.get_by_role("button", name=yes, exact=True).click()
    page.get_by_role("status").filter(has_text=thanks).wait_for()
    assert page.url.endswith("/help/" + page.url.rstrip("/").rsplit("/", 1)[-1] + "/")  # htmx
    article = HelpArticle.objects.get(shop=starter_shop, starter_key="returns")
    assert (article.helpful_yes, article.helpful_no) == (1, 0)
