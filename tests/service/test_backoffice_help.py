"""The merchant's help-centre pages: write, translate, publish, reorder, delete, count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersale.service.help.models import HelpArticle, HelpArticleTranslation, HelpCategory
from aftersale.service.help.services import Text
from tests.service.conftest import make_article

pytestmark = pytest.mark.django_db


def article_form(category, **values):
    data = {
        "category": category.pk,
        "topic": "returns",
        "published": "on",
        "title_fi": "Palautusaika",
        "body_fi": "Sinulla on 30 päivää aikaa.",
        "title_sv": "",
        "body_sv": "",
        "title_en": "Return window",
        "body_en": "You have 30 days.",
    }
    data.update(values)
    return data


def test_staff_write_an_article_in_two_languages(login, shop_a):
    client = login(shop_a.staff)
    response = client.post(
        reverse("backoffice:help_category_new"), {"name_fi": "Palautukset", "name_en": "Returns"}
    )
    assert response.status_code == 302
    category = HelpCategory.objects.for_shop(shop_a.shop).get()
    response = client.post(reverse("backoffice:help_article_new"), article_form(category))
    assert response.status_code == 302
    article = HelpArticle.objects.for_shop(shop_a.shop).get()
    assert article.published and article.topic == "returns"
    assert sorted(article.translations.values_list("language", "title")) == [
        ("en", "Return window"),
        ("fi", "Palautusaika"),
    ]
    page = client.get(reverse("backoffice:help"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Return window" in page and "0 yes · 0 no" in page


def test_a_translation_can_be_added_and_removed_later(login, shop_a):
    article = make_article(shop_a.shop)
    client = login(shop_a.staff)
    url = reverse("backoffice:help_article", args=[article.pk])
    response = client.post(
        url,
        article_form(
            article.category,
            title_sv="Returtid",
            body_sv="Du har 30 dagar.",
            title_en="",
            body_en="",
        ),
    )
    assert response.status_code == 302
    assert sorted(article.translations.values_list("language", flat=True)) == ["fi", "sv"]


def test_it_names_the_field_and_language_of_a_mistake_and_saves_nothing(login, shop_a):
    article = make_article(shop_a.shop)
    client = login(shop_a.staff)
    response = client.post(
        reverse("backoffice:help_article", args=[article.pk]),
        article_form(article.category, title_en="", body_en="Text without a title"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Title (English)" in html
    assert "Give this language a title, or leave its text empty." in html
    assert article.translations.get(language="fi").title == "Miten palautan tuotteen?"


def test_an_article_needs_one_language(login, shop_a):
    category = make_article(shop_a.shop).category
    response = login(shop_a.staff).post(
        reverse("backoffice:help_article_new"),
        article_form(category, title_fi="", body_fi="", title_en="", body_en=""),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Write the article in at least one language." in response.content.decode()


def test_a_category_of_another_shop_cannot_be_chosen(login, shop_a, shop_b):
    foreign = make_article(shop_b.shop).category
    response = login(shop_a.staff).post(
        reverse("backoffice:help_article_new"), article_form(foreign)
    )
    assert response.status_code == 400
    assert not HelpArticle.objects.for_shop(shop_a.shop).exists()


def test_articles_and_categories_move_up_and_down(login, shop_a):
    first = make_article(shop_a.shop)
    second = make_article(
        shop_a.shop, category=first.category, texts={"en": Text("Second", "Text.")}
    )
    client = login(shop_a.staff)
    client.post(reverse("backoffice:help_article_move", args=[second.pk]), {"direction": "up"})
    order = list(
        HelpArticle.objects.for_shop(shop_a.shop).order_by("position").values_list("pk", flat=True)
    )
    assert order == [second.pk, first.pk]
    other = make_article(shop_a.shop, texts={"en": Text("Other", "Text.")}).category
    client.post(reverse("backoffice:help_category_move", args=[other.pk]), {"direction": "up"})
    assert list(HelpCategory.objects.for_shop(shop_a.shop).values_list("pk", flat=True)) == [
        other.pk,
        first.category.pk,
    ]


def test_deleting_asks_first_and_removes_every_language(login, shop_a):
    article = make_article(shop_a.shop)
    client = login(shop_a.staff)
    url = reverse("backoffice:help_article_delete", args=[article.pk])
    assert "Miten palautan tuotteen?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not HelpArticle.objects.filter(pk=article.pk).exists()
    assert not HelpArticleTranslation.objects.filter(article_id=article.pk).exists()


def test_a_category_with_articles_is_not_deleted(login, shop_a):
    article = make_article(shop_a.shop)
    client = login(shop_a.staff)
    response = client.post(
        reverse("backoffice:help_category_delete", args=[article.category_id]), follow=True
    )
    assert HelpCategory.objects.filter(pk=article.category_id).exists()
    assert "still has articles" in response.content.decode()


def test_another_shops_objects_cannot_be_changed(login, shop_a, shop_b):
    foreign = make_article(shop_b.shop)
    client = login(shop_a.owner)
    for name, data in (
        ("backoffice:help_article_move", {"direction": "up"}),
        ("backoffice:help_article_delete", {}),
    ):
        assert client.post(reverse(name, args=[foreign.pk]), data).status_code == 404
    for name, data in (
        ("backoffice:help_category_move", {"direction": "up"}),
        ("backoffice:help_category_delete", {}),
        ("backoffice:help_category", {"name_en": "Taken over"}),
    ):
        assert client.post(reverse(name, args=[foreign.category_id]), data).status_code == 404
    assert HelpArticle.objects.filter(pk=foreign.pk).exists()
    assert HelpCategory.objects.get(pk=foreign.category_id).name_en == "Returns"


def test_feedback_counts_show_per_article(login, shop_a):
    article = make_article(shop_a.shop)
    HelpArticle.objects.filter(pk=article.pk).update(helpful_yes=7, helpful_no=2)
    page = login(shop_a.staff).get(reverse("backoffice:help"), HTTP_ACCEPT_LANGUAGE="en")
    assert "7 yes · 2 no" in page.content.decode()


def test_the_list_costs_the_same_queries_for_two_articles_or_twelve(
    login, shop_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(shop_a.staff)
    category = make_article(shop_a.shop).category
    counts = []
    for total in (2, 12):
        while HelpArticle.objects.for_shop(shop_a.shop).count() < total:
            make_article(shop_a.shop, category=category)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("backoffice:help")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(20):
        client.get(reverse("backoffice:help"))
