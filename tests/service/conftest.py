"""Service desk fixtures: a throw-away MEDIA_ROOT for attachments; help-centre articles (a
published article in three languages in shop A, one in shop B)."""

from __future__ import annotations

import pytest

from aftersale.service.help import services
from aftersale.service.help.models import Topic
from aftersale.service.help.services import Text


def make_article(shop, *, topic=Topic.RETURNS, published=True, texts=None, category=None):
    category = category or services.save_category(
        shop, {"fi": "Palautukset", "sv": "Returer", "en": "Returns"}
    )
    return services.save_article(
        shop,
        category=category,
        topic=topic,
        published=published,
        texts=texts
        or {
            "fi": Text("Miten palautan tuotteen?", "Aloita palautus tilaussivulta."),
            "sv": Text("Hur returnerar jag en vara?", "Börja returen på ordersidan."),
            "en": Text("How do I return an item?", "Start the return on your order page."),
        },
    )


@pytest.fixture
def article_a(shop_a):
    return make_article(shop_a.shop)


@pytest.fixture
def article_b(shop_b):
    return make_article(
        shop_b.shop,
        texts={"en": Text("Saaristo secret returns", "Only for Saaristo customers.")},
    )


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Attachments go to a throw-away MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
