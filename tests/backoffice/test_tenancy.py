"""Tenancy: a shop's staff never see another shop's objects; an outsider sees no shop at all.

Every back-office URL that takes an object id belongs in OBJECT_URLS: the URL name and a
function that makes the object in the given shop and returns the URL's kwargs. Add yours here
(one line per page) and the tests below prove a foreign shop's id gives 404, not data.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersale.service.canned import save_canned_reply
from tests.factories import CustomerFactory, OrderFactory, ProductFactory, ReturnRequestFactory
from tests.service.conftest import make_article
from tests.service.helpers import open_ticket

pytestmark = pytest.mark.django_db


def review_in(shop):
    from django.utils import timezone

    from aftersale.reviews.models import Review
    from tests.factories import ProductFactory

    return Review.objects.create(
        shop=shop, product=ProductFactory(shop=shop), author_name="Aino V.", language="fi",
        rating=4, verification="order", submitted_at=timezone.now(),
    )  # fmt: skip


def reward_in(shop):
    from aftersale.loyalty.rewards import save_reward

    return save_reward(shop, name="5 €", kind="fixed_amount", amount_cents=500, points_cost=50)


# (url name, make(shop) -> reverse kwargs)
OBJECT_URLS = [
    ("backoffice:product_detail", lambda shop: {"product_id": ProductFactory(shop=shop).pk}),
    ("backoffice:customer_detail", lambda shop: {"customer_id": CustomerFactory(shop=shop).pk}),
    ("backoffice:order_detail", lambda shop: {"order_id": OrderFactory(shop=shop).pk}),
    ("backoffice:return_register", lambda shop: {"order_id": OrderFactory(shop=shop).pk}),
    (
        "backoffice:return_detail",
        lambda shop: {"return_id": ReturnRequestFactory(order__shop=shop).pk},
    ),
    ("backoffice:flow_detail", lambda shop: {"flow_id": shop.flows.first().pk}),
    ("backoffice:flow_edit", lambda shop: {"flow_id": shop.flows.first().pk}),
    (
        "backoffice:flow_template_edit",
        lambda shop: {"template_id": shop.message_templates.first().pk},
    ),
    (
        "backoffice:flow_template_delete",
        lambda shop: {"template_id": shop.message_templates.first().pk},
    ),
    ("backoffice:ticket_detail", lambda shop: {"ticket_id": open_ticket(shop).pk}),
    (
        "backoffice:canned_reply",
        lambda shop: {
            "reply_id": save_canned_reply(shop, language="fi", title="Kiitos", body="Kiitos!").pk
        },
    ),
    ("backoffice:help_article", lambda shop: {"article_id": make_article(shop).pk}),
    ("backoffice:help_article_delete", lambda shop: {"article_id": make_article(shop).pk}),
    ("backoffice:help_category", lambda shop: {"category_id": make_article(shop).category_id}),
    ("backoffice:loyalty_member", lambda shop: {"customer_id": CustomerFactory(shop=shop).pk}),
    ("backoffice:reward_detail", lambda shop: {"reward_id": reward_in(shop).pk}),
    ("backoffice:review_detail", lambda shop: {"review_id": review_in(shop).pk}),
]

# Pages without an object id that show the current shop's data.
SHOP_PAGES = [
    "backoffice:dashboard",
    "backoffice:customer_list",
    "backoffice:order_list",
    "backoffice:insights",
    "backoffice:deliveries",
    "backoffice:unclaimed_report",
    "backoffice:flagged_customers",
    "backoffice:returns",
    "backoffice:returns_insight",
    "backoffice:flow_list",
    "backoffice:flow_templates",
    "backoffice:flow_template_new",
    "backoffice:flow_messages",
    "backoffice:flow_messaging_settings",
    "backoffice:flow_dead_letters",
    "backoffice:withdrawals",
    "backoffice:tickets",
    "backoffice:canned_replies",
    "backoffice:help",
    "backoffice:help_category_new",
    "backoffice:help_article_new",
    "backoffice:loyalty_settings",
    "backoffice:loyalty_members",
    "backoffice:loyalty_liability",
    "backoffice:loyalty_effect",
    "backoffice:rewards",
    "backoffice:redemptions",
    "backoffice:referrals",
    "backoffice:surveys",
    "backoffice:survey_comments",
    "backoffice:reviews",
    "backoffice:reviews_audit",
]

OBJECT_IDS = [name for name, _ in OBJECT_URLS]


@pytest.mark.parametrize("url_name, make", OBJECT_URLS, ids=OBJECT_IDS)
def test_it_hides_another_shops_object_behind_a_404(login, shop_a, shop_b, url_name, make):
    url = reverse(url_name, kwargs=make(shop_b.shop))

    assert login(shop_b.staff).get(url).status_code == 200  # the page exists for its own shop
    assert login(shop_a.staff).get(url).status_code == 404
    assert login(shop_a.owner).get(url).status_code == 404


@pytest.mark.parametrize("url_name, make", OBJECT_URLS, ids=OBJECT_IDS)
def test_it_gives_404_for_an_id_that_does_not_exist(login, shop_a, url_name, make):
    kwargs = {key: 999_999_999 for key in make(shop_a.shop)}
    assert login(shop_a.staff).get(reverse(url_name, kwargs=kwargs)).status_code == 404


@pytest.mark.parametrize("url_name, make", OBJECT_URLS, ids=OBJECT_IDS)
def test_it_shows_an_outsider_no_shop_object(login, client, shop_a, outsider, url_name, make):
    url = reverse(url_name, kwargs=make(shop_a.shop))
    response = login(outsider).get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "You are not a member of any shop" in html
    assert "Pohjola Style" not in html


@pytest.mark.parametrize("url_name", SHOP_PAGES)
def test_it_shows_an_outsider_the_not_a_member_page(login, shop_a, outsider, url_name):
    CustomerFactory(shop=shop_a.shop, last_name="Salainen")
    OrderFactory(shop=shop_a.shop, number="77777")
    response = login(outsider).get(reverse(url_name))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You are not a member of any shop" in html
    assert "Salainen" not in html and "77777" not in html and "Pohjola Style" not in html


@pytest.mark.parametrize("url_name", SHOP_PAGES)
def test_it_shows_staff_only_their_own_shops_data(login, shop_a, shop_b, url_name):
    CustomerFactory(shop=shop_b.shop, last_name="Ulkopuolinen")
    OrderFactory(shop=shop_b.shop, number="88888", customer__last_name="Ulkopuolinen")
    response = login(shop_a.staff).get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ulkopuolinen" not in html and "88888" not in html and "Saaristo Tech" not in html


@pytest.mark.parametrize(
    "url", [reverse(name) for name in SHOP_PAGES] + ["/customers/1/", "/orders/1/"]
)
def test_it_sends_anonymous_visitors_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:login"))
