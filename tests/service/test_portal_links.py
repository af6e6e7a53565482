"""Portal order, return and tracking pages link the help articles of their topics."""

from __future__ import annotations

import pytest

from aftersale.service.help.models import Topic
from aftersale.service.help.services import Text
from tests.factories import OrderFactory, ReturnRequestFactory, ShipmentFactory
from tests.service.conftest import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(shop_a, shop_b):
    shop = shop_a.shop
    make_article(shop, topic=Topic.RETURNS, texts={"en": Text("Returning an item", "Text.")})
    make_article(shop, topic=Topic.PICKUP, texts={"en": Text("Holding times", "Text.")})
    make_article(
        shop, topic=Topic.PICKUP, published=False, texts={"en": Text("Draft pickup", "Text.")}
    )
    make_article(shop_b.shop, topic=Topic.PICKUP, texts={"en": Text("Saaristo pickup", "T.")})


def test_the_tracking_page_links_delivery_and_pickup_articles(client, shop_a, articles):
    shipment = ShipmentFactory(order__shop=shop_a.shop)
    html = client.get(f"/t/{shipment.tracking_token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Answers that may help" in html
    assert "Holding times" in html
    assert "Returning an item" not in html
    assert "Draft pickup" not in html and "Saaristo pickup" not in html


def test_the_order_page_links_return_articles(client, shop_a, articles):
    order = OrderFactory(shop=shop_a.shop, customer__email="maija@example.fi")
    client.post("/s/pohjola/", {"number": order.number, "email": "maija@example.fi"})
    html = client.get(f"/s/pohjola/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Returning an item" in html
    assert "Holding times" not in html


def test_the_return_page_links_return_articles(client, shop_a, articles):
    request = ReturnRequestFactory(order__shop=shop_a.shop, order__customer__email="m@example.fi")
    client.post("/s/pohjola/", {"number": request.order.number, "email": "m@example.fi"})
    html = client.get(
        f"/s/pohjola/returns/{request.code}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Returning an item" in html


def test_a_shop_without_articles_shows_no_box(client, shop_a):
    shipment = ShipmentFactory(order__shop=shop_a.shop)
    html = client.get(f"/t/{shipment.tracking_token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Answers that may help" not in html
