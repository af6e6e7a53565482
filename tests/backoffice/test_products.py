"""The products pages: relations, recommendations with their reasons, pins and blocks."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from aftersale.recommendations.models import RecommendationRule
from tests.factories import ProductRelationFactory, VariantFactory


@pytest.fixture
def camera(shop_a):
    shop = shop_a.shop
    camera = VariantFactory(shop=shop, product__name="Camera", stock=2).product
    card = VariantFactory(shop=shop, product__name="Memory card", stock=5).product
    strap = VariantFactory(shop=shop, product__name="Strap", stock=5).product
    ProductRelationFactory(shop=shop, product=camera, related=card, kind="required_part")
    ProductRelationFactory(shop=shop, product=camera, related=strap, kind="accessory")
    return camera, card, strap


def test_the_list_finds_a_product_by_name(login, shop_a, camera):
    page = login(shop_a.staff).get(reverse("backoffice:product_list"), {"q": "memory"})
    html = page.content.decode()
    assert "Memory card" in html and "Strap" not in html


def test_the_product_page_shows_each_recommendation_with_its_reason(login, shop_a, camera):
    product, card, strap = camera
    html = login(shop_a.staff).get(reverse("backoffice:product_detail", args=[product.pk]))
    html = html.content.decode()
    assert "Required part for Camera (set by the shop)" in html
    assert html.index("Memory card") < html.index("Strap")


def test_staff_pin_and_block_and_it_is_audited(login, shop_a, camera):
    product, card, strap = camera
    client = login(shop_a.staff)
    url = reverse("backoffice:product_recommendation_rule", args=[product.pk])
    client.post(url, {"related": strap.pk, "action": "pin"})
    html = client.get(reverse("backoffice:product_detail", args=[product.pk])).content.decode()
    assert "Pinned by staff for Camera" in html
    assert html.index("Strap") < html.index("Memory card")
    client.post(url, {"related": card.pk, "action": "block"})
    rule = RecommendationRule.objects.get(product=product, related=card)
    assert (rule.action, rule.created_by) == ("block", shop_a.staff)
    html = client.get(reverse("backoffice:product_detail", args=[product.pk])).content.decode()
    assert "Required part for Camera" not in html
    client.post(url, {"related": card.pk, "action": ""})
    assert not RecommendationRule.objects.filter(related=card).exists()
    changes = list(
        LogEntry.objects.filter(user=shop_a.staff).values_list("change_message", flat=True)
    )
    assert len(changes) == 3
    assert any("block" in change and card.external_id in change for change in changes)


def test_another_shops_products_cannot_be_pinned(login, shop_a, shop_b, camera):
    product, card, _ = camera
    foreign = VariantFactory(shop=shop_b.shop, stock=1).product
    client = login(shop_a.staff)
    url = reverse("backoffice:product_recommendation_rule", args=[product.pk])
    assert client.post(url, {"related": foreign.pk, "action": "pin"}).status_code == 404
    url = reverse("backoffice:product_recommendation_rule", args=[foreign.pk])
    assert login(shop_a.staff).post(url, {"related": card.pk, "action": "pin"}).status_code == 404
    assert not RecommendationRule.objects.exists()
