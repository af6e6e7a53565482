"""The help centre in the portal: categories, articles, languages, feedback, other shops."""

from __future__ import annotations

from django.core.cache import cache

from aftersale.service.help.models import HelpArticle
from aftersale.service.help.services import Text
from tests.service.conftest import make_article


def test_it_lists_published_articles_by_category_in_the_visitors_language(
    client, article_a, shop_a
):
    make_article(
        shop_a.shop,
        published=False,
        texts={"en": Text("Draft about refunds", "Not ready.")},
    )
    english = client.get("/s/pohjola/help/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How do I return an item?" in english
    assert "Draft about refunds" not in english
    finnish = client.get("/s/pohjola/help/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Miten palautan tuotteen?" in finnish
    assert "Palautukset" in finnish
    swedish = client.get("/s/pohjola/help/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Hur returnerar jag en vara?" in swedish


def test_an_article_missing_a_language_falls_back_to_the_shops_language(client, shop_a):
    article = make_article(shop_a.shop, texts={"fi": Text("Vain suomeksi", "Teksti.")})
    page = client.get(f"/s/pohjola/help/{article.pk}/", HTTP_ACCEPT_LANGUAGE="sv")
    assert page.status_code == 200
    assert 'lang="fi"' in page.content.decode()
    assert "Vain suomeksi" in page.content.decode()


def test_a_draft_article_is_not_found(client, shop_a):
    draft = make_article(shop_a.shop, published=False)
    assert client.get(f"/s/pohjola/help/{draft.pk}/").status_code == 404


def test_shop_b_articles_are_not_found_under_shop_a(client, article_a, article_b):
    assert client.get(f"/s/pohjola/help/{article_b.pk}/").status_code == 404
    assert client.get(f"/s/saaristo/help/{article_a.pk}/").status_code == 404
    assert (
        client.post(f"/s/pohjola/help/{article_b.pk}/feedback/", {"helpful": "yes"}).status_code
        == 404
    )
    listing = client.get("/s/pohjola/help/?q=secret", HTTP_ACCEPT_LANGUAGE="en")
    assert "Saaristo secret" not in listing.content.decode()
    assert "Saaristo secret" not in client.get("/s/pohjola/help/").content.decode()
    HelpArticle.objects.get(pk=article_b.pk).refresh_from_db()
    assert HelpArticle.objects.get(pk=article_b.pk).helpful_yes == 0
    assert client.get("/s/nosuchshop/help/").status_code == 404


def test_search_finds_the_article_in_the_visitors_language(client, article_a):
    page = client.get("/s/pohjola/help/?q=return", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How do I return an item?" in page
    assert "1 article found" in page
    page = client.get("/s/pohjola/help/?q=palautus", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Miten palautan tuotteen?" in page
    nothing = client.get("/s/pohjola/help/?q=zebra", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing matched" in nothing


def test_did_this_help_counts_once_per_visitor_and_article(client, article_a):
    cache.clear()
    url = f"/s/pohjola/help/{article_a.pk}/feedback/"
    answer = client.post(url, {"helpful": "yes"})
    assert answer.status_code == 302
    assert answer["Location"].endswith("?thanks=1")
    assert (
        "Thank you for your answer."
        in client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    client.post(url, {"helpful": "no"})
    article_a.refresh_from_db()
    assert (article_a.helpful_yes, article_a.helpful_no) == (1, 0)


def test_did_this_help_answers_htmx_with_a_fragment(client, article_a):
    cache.clear()
    url = f"/s/pohjola/help/{article_a.pk}/feedback/"
    answer = client.post(url, {"helpful": "no"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    assert answer.content.decode().strip().startswith('<p role="status"')
    article_a.refresh_from_db()
    assert article_a.helpful_no == 1


def test_did_this_help_refuses_other_answers_and_floods(client, article_a, settings):
    cache.clear()
    url = f"/s/pohjola/help/{article_a.pk}/feedback/"
    assert client.post(url, {"helpful": "maybe"}).status_code == 400
    for _ in range(30):
        client.post(url, {"helpful": "yes"})
    refused = client.post(url, {"helpful": "yes"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    assert "Too many answers" in refused.content.decode()
    article_a.refresh_from_db()
    assert article_a.helpful_yes == 1


def test_every_portal_page_shows_the_opening_status(client, shop_a):
    page = client.get("/s/pohjola/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-opening-status" in page
    assert "We answer within 1 business day." in page
    assert "/s/pohjola/help/" in page


def test_the_help_centre_costs_the_same_queries_for_two_articles_or_twenty(
    client, shop_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    category = make_article(shop_a.shop).category
    client.get("/s/pohjola/help/")  # the day's first visitor creates the day's count
    counts = []
    for total in (2, 20):
        while HelpArticle.objects.for_shop(shop_a.shop).count() < total:
            make_article(shop_a.shop, category=category)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/s/pohjola/help/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(20):
        client.get("/s/pohjola/help/")
