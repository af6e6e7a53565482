"""Search and suggestions: the best-matching published articles of the shop, in the language."""

from __future__ import annotations

import pytest
from django.db import connection

from aftersale.service.help.models import HelpArticle, HelpArticleTranslation, HelpCategory, Topic
from aftersale.service.help.search import postgres_query, search_articles, suggest_articles
from aftersale.service.help.services import Text
from tests.service.conftest import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(shop_a, shop_b):
    shop = shop_a.shop
    make_article(
        shop,
        texts={
            "fi": Text("Palautuksen aikaraja", "Voit palauttaa tuotteen 30 päivän kuluessa."),
            "en": Text("Return window", "You can return an item within 30 days."),
            "sv": Text("Returtid", "Du kan returnera en vara inom 30 dagar."),
        },
    )
    make_article(
        shop,
        topic=Topic.PICKUP,
        texts={
            "fi": Text("Noutamaton paketti", "Paketti palaa meille, jos sitä ei noudeta."),
            "en": Text("Unclaimed parcel", "A parcel that is not picked up comes back to us."),
            "sv": Text("Ej uthämtat paket", "Ett paket som inte hämtas kommer tillbaka till oss."),
        },
    )
    make_article(
        shop,
        texts={"en": Text("Gift cards", "Gift cards cannot be returned for money.")},
    )
    make_article(
        shop,
        published=False,
        texts={"en": Text("Return secrets (draft)", "Return return return.")},
    )
    make_article(shop_b.shop, texts={"en": Text("Return at Saaristo", "Return things here.")})
    return shop


def titles(hits):
    return [hit.title for hit in hits]


def test_the_best_match_comes_first(library):
    hits = search_articles(library, "en", "how do I return an item")
    assert titles(hits)[0] == "Return window"
    assert "Return secrets (draft)" not in titles(hits)
    assert "Return at Saaristo" not in titles(hits)


def test_finnish_and_swedish_inflections_match(library):
    assert titles(search_articles(library, "fi", "palautus"))[0] == "Palautuksen aikaraja"
    assert titles(search_articles(library, "fi", "pakettini noutaminen"))[0] == "Noutamaton paketti"
    assert titles(search_articles(library, "sv", "paketet"))[0] == "Ej uthämtat paket"


def test_a_long_message_suggests_at_most_three_articles_with_addresses(library):
    message = (
        "Hello, I never picked up my parcel from the pickup point and now I want to know "
        "whether it comes back to you and if I can return the item for money."
    )
    hits = suggest_articles(library, "en", message)
    assert 1 <= len(hits) <= 3
    assert "Unclaimed parcel" in titles(hits)
    assert all(hit.url.startswith("/s/pohjola/help/") for hit in hits)


def test_nothing_to_search_finds_nothing(library):
    assert search_articles(library, "en", "") == []
    assert search_articles(library, "en", "  ?! ") == []
    assert search_articles(library, "de", "return") == []
    assert search_articles(library, "en", "zebra") == []


def test_search_text_cannot_break_the_query(library):
    for text in ("return & | ! :*", "'; drop table x; --", "return)(", "\\"):
        search_articles(library, "en", text)


@pytest.mark.postgres_only
def test_postgres_searches_through_the_languages_index(library):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    category = HelpCategory.objects.create(shop=library, name_fi="Paljon")
    articles = HelpArticle.objects.bulk_create(
        HelpArticle(shop=library, category=category, position=n, published=True)
        for n in range(2000)
    )
    HelpArticleTranslation.objects.bulk_create(
        HelpArticleTranslation(
            article=article, shop=library, language="fi", title=f"Otsikko {n}", body=f"sana{n}"
        )
        for n, article in enumerate(articles)
    )
    with connection.cursor() as cursor:
        # All three tables: statistics left from when they were empty (an earlier test, or
        # autovacuum) would make the planner start from "one published article".
        cursor.execute("ANALYZE service_helpcategory, service_helparticle")
        cursor.execute("ANALYZE service_helparticletranslation")
        # What matters is that the query's expression matches the index; whether a scan of
        # 2,000 short rows is cheaper is the planner's call, and it has made both.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = postgres_query(library, "fi", ["palautus"]).explain()
    assert "help_search_fi" in plan, plan
