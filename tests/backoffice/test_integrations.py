"""The Integrations page: API tokens, webhook endpoints and their log, the CSV upload."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from aftersale.core.models import ApiToken
from aftersale.core.services import authenticate_api_token, create_api_token
from aftersale.orders.models import Order
from aftersale.webhooks.models import WebhookDelivery, WebhookEndpoint
from aftersale.webhooks.services import add_webhook_endpoint
from tests.api.samples import GOOD_CSV as GOOD
from tests.factories import OrderFactory


def test_it_asks_for_login(client, db):
    response = client.get("/integrations/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_cannot_manage_integrations(login, shop_a):
    assert login(shop_a.staff).get("/integrations/").status_code == 403


def test_it_shows_a_new_token_once_and_stores_only_its_hash(login, shop_a):
    client = login(shop_a.owner)
    response = client.post("/integrations/", {"name": "Web shop"})
    assert response.status_code == 200
    plain = response.context["new_token"]
    assert plain in response.content.decode()
    token = ApiToken.objects.for_shop(shop_a.shop).get()
    assert plain not in (token.token_hash, token.token_prefix)
    assert authenticate_api_token(plain) == token
    again = client.get("/integrations/").content.decode()
    assert plain not in again
    assert "Web shop" in again and token.token_prefix in again


def test_it_revokes_a_token(login, shop_a):
    token, plain = create_api_token(shop_a.shop, name="Old")
    client = login(shop_a.owner)
    client.post(f"/integrations/tokens/{token.pk}/revoke/")
    assert authenticate_api_token(plain) is None


def test_it_cannot_revoke_another_shops_token(login, shop_a, shop_b):
    token, plain = create_api_token(shop_b.shop, name="Theirs")
    response = login(shop_a.owner).post(f"/integrations/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert authenticate_api_token(plain) is not None


def test_it_adds_a_webhook_endpoint_and_shows_its_deliveries(login, shop_a):
    client = login(shop_a.owner)
    client.post(
        "/integrations/webhooks/",
        {"url": "https://shop.example/hooks", "event_types": ["return.approved"]},
    )
    endpoint = WebhookEndpoint.objects.for_shop(shop_a.shop).get()
    assert endpoint.event_types == ["return.approved"]
    from aftersale.timeline.services import record_event

    event = record_event(shop_a.shop, "return.approved", subject=OrderFactory(shop=shop_a.shop))
    WebhookDelivery.objects.create(
        shop=shop_a.shop, endpoint=endpoint, event=event, attempts=2, response_status=503
    )
    page = client.get(f"/integrations/webhooks/{endpoint.pk}/").content.decode()
    assert "return.approved" in page and "503" in page


def test_it_hides_another_shops_endpoint(login, shop_a, shop_b):
    endpoint = add_webhook_endpoint(shop_b.shop, url="https://b.example/h", event_types=[])
    client = login(shop_a.owner)
    assert client.get(f"/integrations/webhooks/{endpoint.pk}/").status_code == 404
    assert client.post(f"/integrations/webhooks/{endpoint.pk}/remove/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_it_imports_an_uploaded_csv(login, shop_a):
    upload = SimpleUploadedFile("orders.csv", GOOD.encode(), content_type="text/csv")
    response = login(shop_a.owner).post("/integrations/import/", {"file": upload})
    assert response.status_code == 200
    assert "Imported 2 orders" in response.content.decode()
    assert Order.objects.for_shop(shop_a.shop).count() == 2


def test_it_shows_the_row_report_of_a_bad_csv(login, shop_a):
    bad = GOOD.replace(",2,1990", ",lots,1990")
    upload = SimpleUploadedFile("orders.csv", io.BytesIO(bad.encode()).read())
    page = login(shop_a.owner).post("/integrations/import/", {"file": upload}).content.decode()
    assert "Nothing was imported" in page
    assert "quantity" in page
    assert "must be a whole number" in page
    assert Order.objects.count() == 0


def test_the_row_report_is_in_the_back_offices_language(login, shop_a):
    bad = GOOD.replace(",2,1990", ",lots,1990")
    upload = SimpleUploadedFile("orders.csv", bad.encode())
    client = login(shop_a.owner)
    page = client.post(
        "/integrations/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="fi"
    ).content.decode()
    assert "on oltava kokonaisluku" in page


def test_it_shows_the_inbound_webhook_addresses_and_secret(login, shop_a, shop_b):
    page = login(shop_a.owner).get("/integrations/").content.decode()
    assert "/api/v1/webhooks/shopify/pohjola" in page
    assert shop_a.shop.webhook_secret in page
    assert shop_b.shop.webhook_secret not in page
