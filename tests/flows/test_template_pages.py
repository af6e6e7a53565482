"""Templates in the back-office: create (fi/sv/en), copy, delete, and the delete guard that
names the flows still sending a template."""

from __future__ import annotations

from aftersale.flows.models import Flow, Template
from tests.flows.helpers import marketing_flow
from tests.html_forms import form_data


def test_it_creates_a_template_in_the_shops_languages(login, shop_a):
    client = login(shop_a.owner)
    page = client.get("/flows/templates/new/").content.decode()
    data = form_data(page, "template-new")
    data.update(
        {
            "name": "Autumn news",
            "subject_fi": "Syksyn uutuudet, {{ customer_first_name }}",
            "body_fi": "Hei {{ customer_first_name }}!",
            "subject_sv": "Höstens nyheter",
            "body_sv": "Hej {{ customer_first_name }}!",
            "subject_en": "Autumn news",
            "body_en": "Hi {{ customer_first_name }}!",
        }
    )
    response = client.post("/flows/templates/new/", data)
    assert response.status_code == 302, response.content.decode()
    created = Template.objects.for_shop(shop_a.shop).filter(name="Autumn news")
    assert sorted(created.values_list("key", "language")) == [
        ("autumn-news", "en"),
        ("autumn-news", "fi"),
        ("autumn-news", "sv"),
    ]
    assert created.get(language="sv").subject == "Höstens nyheter"
    listing = client.get("/flows/templates/").content.decode()
    assert "Autumn news" in listing
    # a flow step can now choose it
    assert 'value="autumn-news"' in client.get("/flows/new/").content.decode()


def test_it_names_each_missing_language_and_saves_nothing(login, shop_a):
    client = login(shop_a.owner)
    response = client.post(
        "/flows/templates/new/",
        {"name": "Half", "subject_fi": "Otsikko", "body_fi": "Teksti", "body_en": "{% if %}"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Write the Swedish text; your shop uses Swedish." in page
    assert 'href="#id_body_sv"' in page
    assert 'href="#id_body_en"' in page and "This template has an error" in page
    assert not Template.objects.filter(name="Half").exists()


def test_a_shop_in_one_language_needs_only_that_text(login, shop_a):
    shop = shop_a.shop
    shop.languages = ["fi"]
    shop.save(update_fields=["languages"])
    response = login(shop_a.owner).post(
        "/flows/templates/new/", {"name": "Vain suomeksi", "body_fi": "Hei!"}
    )
    assert response.status_code == 302
    assert list(
        Template.objects.for_shop(shop).filter(name="Vain suomeksi").values_list("language")
    ) == [("fi",)]


def test_it_copies_every_language_of_a_template(login, shop_a):
    original = Template.objects.for_shop(shop_a.shop).get(key="shipped", language="fi")
    client = login(shop_a.owner)
    response = client.post(f"/flows/templates/{original.pk}/copy/")
    assert response.status_code == 302
    copies = Template.objects.for_shop(shop_a.shop).filter(key="shipped-copy")
    assert copies.count() == 3
    assert copies.get(language="fi").body == original.body
    assert copies.first().name == f"{original.name} (copy)"
    again = client.post(f"/flows/templates/{original.pk}/copy/", {"name": "Shipped, short"})
    assert again.status_code == 302
    assert (
        Template.objects.for_shop(shop_a.shop)
        .filter(key="shipped-copy-2", name="Shipped, short")
        .count()
        == 3
    )


def test_it_deletes_an_unused_template_in_every_language(login, shop_a):
    template = Template.objects.for_shop(shop_a.shop).get(key="shipped", language="sv")
    Flow.objects.for_shop(shop_a.shop).filter(steps__template_key="shipped").delete()
    client = login(shop_a.owner)
    confirm = client.get(f"/flows/templates/{template.pk}/delete/").content.decode()
    assert "FI, SV, EN" in confirm or "EN, FI, SV" in confirm
    response = client.post(f"/flows/templates/{template.pk}/delete/")
    assert response.status_code == 302
    assert not Template.objects.for_shop(shop_a.shop).filter(key="shipped").exists()


def test_it_refuses_to_delete_a_template_a_flow_sends_and_names_the_flows(login, shop_a):
    shop = shop_a.shop
    marketing_flow(shop, name="Second thanks", template="order_thanks")
    template = Template.objects.for_shop(shop).get(key="order_thanks", language="en")
    client = login(shop_a.owner)
    confirm = client.get(f"/flows/templates/{template.pk}/delete/").content.decode()
    assert "This template cannot be deleted: these flows send it" in confirm
    assert "Second thanks" in confirm and "Order thanks" in confirm
    response = client.post(f"/flows/templates/{template.pk}/delete/")
    assert response.status_code == 200
    assert "was not deleted: a flow sends it" in response.content.decode()
    assert Template.objects.for_shop(shop).filter(key="order_thanks").count() == 3
    listing = client.get("/flows/templates/").content.decode()
    assert "Second thanks" in listing


def test_it_keeps_another_shops_templates_out_of_reach(login, shop_a, shop_b):
    foreign = Template.objects.for_shop(shop_b.shop).get(key="shipped", language="fi")
    client = login(shop_a.owner)
    assert client.post(f"/flows/templates/{foreign.pk}/copy/").status_code == 404
    assert client.get(f"/flows/templates/{foreign.pk}/delete/").status_code == 404
    assert client.post(f"/flows/templates/{foreign.pk}/delete/").status_code == 404
    assert Template.objects.for_shop(shop_b.shop).filter(key="shipped").count() == 3
    assert not Template.objects.for_shop(shop_b.shop).filter(key="shipped-copy").exists()
    assert not Template.objects.for_shop(shop_a.shop).filter(key="shipped-copy").exists()
