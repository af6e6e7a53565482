"""Starter articles say what the shop's settings say, follow them, and stay the merchant's once
edited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersale.returns import services as return_services
from aftersale.returns.models import ReturnPolicy, WithdrawalSettings
from aftersale.service.help import services
from aftersale.service.help.models import HelpArticle, HelpArticleTranslation
from aftersale.service.help.services import Text
from aftersale.service.help.starter import (
    ARTICLES,
    create_starter_articles,
    refresh_all_shops,
    refresh_starter_articles,
)
from tests.factories import ShipmentFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)


def text(shop, key, language="en") -> str:
    return HelpArticleTranslation.objects.get(
        article__shop=shop, article__starter_key=key, language=language
    ).body


def test_it_creates_every_starter_article_in_three_languages_once(shop_a):
    shop = shop_a.shop
    assert create_starter_articles(shop, now=NOW) == len(ARTICLES)
    assert create_starter_articles(shop, now=NOW) == 0
    assert HelpArticle.objects.for_shop(shop).filter(published=True).count() == len(ARTICLES)
    assert HelpArticleTranslation.objects.for_shop(shop).count() == 3 * len(ARTICLES)
    finnish = text(shop, "returns", "fi")
    assert "14 päivän" in finnish


def test_the_return_window_follows_the_policy_engine(shop_a):
    shop = shop_a.shop
    create_starter_articles(shop, now=NOW)
    assert "within 14 days of receiving the parcel" in text(shop, "returns")
    return_services.save_return_policy(shop, window_days=30, drop_off_fee_cents=490)
    assert refresh_starter_articles(shop, now=NOW) >= 1
    body = text(shop, "returns")
    assert "within 30 days of receiving the parcel" in body
    assert "longer than the 14 days the law gives you" in body
    assert "Drop-off at a pickup point or parcel locker: €4.90" in body
    # Below the statutory 14 days is impossible; the article never says otherwise.
    return_services.save_return_policy(shop, window_days=7)
    refresh_starter_articles(shop, now=NOW)
    assert "within 14 days of receiving the parcel" in text(shop, "returns")


def test_exchanges_withdrawal_and_unclaimed_fee_follow_the_settings(shop_a):
    shop = shop_a.shop
    ReturnPolicy.objects.create(shop=shop, free_exchanges=False)
    WithdrawalSettings.objects.create(
        shop=shop, unclaimed_fee_cents=1500, informed_of_withdrawal_right=False
    )
    create_starter_articles(shop, now=NOW)
    assert "An exchange has the same return fee as a return." in text(shop, "exchanges")
    assert "12 months longer" in text(shop, "withdrawal")
    assert "within 14 days of receiving your notice" in text(shop, "withdrawal")
    assert "minus €15.00" in text(shop, "unclaimed")
    ReturnPolicy.objects.filter(shop=shop).update(free_exchanges=True)
    WithdrawalSettings.objects.filter(shop=shop).update(
        unclaimed_fee_cents=0, informed_of_withdrawal_right=True
    )
    refresh_all_shops()
    assert "Exchanges are free" in text(shop, "exchanges")
    assert "12 months" not in text(shop, "withdrawal")
    assert "refund everything you paid" in text(shop, "unclaimed")


def test_holding_and_delivery_times_come_from_the_shops_recent_parcels(shop_a):
    shop = shop_a.shop
    for n in range(6):
        ready = NOW - timedelta(days=10 + n)
        ShipmentFactory(
            order__shop=shop,
            carrier="matkahuolto",
            ready_at=ready,
            held_until=ready + timedelta(days=14),
            shipped_at=ready - timedelta(days=2),
            received_at=ready + timedelta(days=1),
        )
    ShipmentFactory(order__shop=shop, carrier="posti", ready_at=NOW, held_until=NOW)  # too few
    create_starter_articles(shop, now=NOW)
    assert "- Matkahuolto: 14 days" in text(shop, "pickup")
    assert "Posti" not in text(shop, "pickup")
    assert "- Matkahuolto: 3 days" in text(shop, "delivery")
    assert "- Matkahuolto: 14 päivää" in text(shop, "pickup", "fi")


def test_without_parcels_the_articles_make_no_claim_about_carriers(shop_a):
    shop = shop_a.shop
    create_starter_articles(shop, now=NOW)
    assert "the notice tells you the last day" in text(shop, "pickup")
    assert "within 3 days of dispatch" in text(shop, "delivery")


def test_an_edited_translation_is_never_rewritten_but_the_others_still_follow(shop_a):
    shop = shop_a.shop
    create_starter_articles(shop, now=NOW)
    article = HelpArticle.objects.get(shop=shop, starter_key="returns")
    texts = {row.language: Text(row.title, row.body) for row in article.translations.all()}
    texts["en"] = Text("Our returns", "Send it back within a month, it is fine.")
    services.save_article(
        shop,
        category=article.category,
        topic=article.topic,
        published=True,
        texts=texts,
        article=article,
    )
    return_services.save_return_policy(shop, window_days=60)
    refresh_starter_articles(shop, now=NOW)
    assert text(shop, "returns") == "Send it back within a month, it is fine."
    assert "60 päivän" in text(shop, "returns", "fi")


def test_a_deleted_starter_article_is_not_brought_back_by_refreshing(shop_a):
    shop = shop_a.shop
    create_starter_articles(shop, now=NOW)
    services.delete_article(shop, HelpArticle.objects.get(shop=shop, starter_key="pickup"))
    refresh_all_shops()
    assert not HelpArticle.objects.filter(shop=shop, starter_key="pickup").exists()


def test_opening_a_generated_article_brings_it_up_to_date(client, shop_a):
    shop = shop_a.shop
    create_starter_articles(shop, now=NOW)
    return_services.save_return_policy(shop, window_days=45)
    article = HelpArticle.objects.get(shop=shop, starter_key="returns")
    page = client.get(f"/s/pohjola/help/{article.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "within 45 days of receiving the parcel" in page.content.decode()


def test_the_starter_articles_of_one_shop_leave_another_alone(shop_a, shop_b):
    create_starter_articles(shop_a.shop, now=NOW)
    assert not HelpArticle.objects.for_shop(shop_b.shop).exists()


def test_the_merchant_adds_them_from_the_back_office(login, shop_a):
    client = login(shop_a.staff)
    response = client.post("/help/starter/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "6 starter articles added." in response.content.decode()
    assert HelpArticle.objects.for_shop(shop_a.shop).count() == 6


def test_the_parcel_figures_are_read_once_an_hour_not_on_every_view(login, shop_a):
    """Opening the back-office help centre recomputed the parcel figures for every language
    of two articles on every view: 4–7 s at 500,000 parcels (measured on the scale demo).
    They are read at most once an hour; a policy change still shows at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    shop = shop_a.shop
    create_starter_articles(shop)
    client = login(shop_a.staff)
    client.get("/help/")
    with CaptureQueriesContext(connection) as view:
        page = client.get("/help/")
    assert page.status_code == 200
    assert not [q for q in view.captured_queries if 'FROM "delivery_shipment"' in q["sql"]]
    return_services.save_return_policy(shop, window_days=45)
    assert "Starter articles were updated" in client.get("/help/").content.decode()
    assert "within 45 days of receiving the parcel" in text(shop, "returns")
