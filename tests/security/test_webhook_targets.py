"""Outbound webhooks never reach into the server's own network: inside targets are refused when
an endpoint is added and again at delivery, redirects are not followed, and the answer shown to
the shop is size-limited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from aftersale.timeline.services import record_event
from aftersale.webhooks.delivery import queue_new_events, send_due_deliveries
from aftersale.webhooks.models import WebhookDelivery, WebhookEndpoint
from aftersale.webhooks.services import add_webhook_endpoint
from tests.factories import OrderFactory
from tests.webhooks.test_delivery import Receiver, settle


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_inside_targets_are_refused_when_added_with_a_clear_message(shop_a, url):
    with pytest.raises(ValidationError) as refused:
        add_webhook_endpoint(shop_a.shop, url=url, event_types=[])
    message = refused.value.message_dict["url"][0]
    assert "inside this server's network" in message
    assert "WEBHOOKS_ALLOWED_NETWORKS" in message


def test_the_back_office_shows_the_refusal_on_the_url_field(login, shop_a):
    client = login(shop_a.owner)
    response = client.post("/integrations/webhooks/", {"url": "http://127.0.0.1/x"}, follow=True)
    assert "inside this server&#x27;s network" in response.content.decode()
    assert not WebhookEndpoint.objects.for_shop(shop_a.shop).exists()


def test_the_operator_may_allow_a_private_network(shop_a, settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["10.1.0.0/16"]
    add_webhook_endpoint(shop_a.shop, url="http://10.1.2.3/hook", event_types=[])
    with pytest.raises(ValidationError):
        add_webhook_endpoint(shop_a.shop, url="http://10.2.0.1/hook", event_types=[])


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    return settings


def deliver(shop) -> WebhookDelivery:
    record_event(shop, "order.placed", subject=OrderFactory(shop=shop))
    queue_new_events(now=settle())
    send_due_deliveries(now=settle())
    return WebhookDelivery.objects.get()


def test_a_target_that_turns_private_later_is_refused_at_delivery(shop_a, loopback_allowed):
    hook = Receiver([200])
    try:
        add_webhook_endpoint(shop_a.shop, url=hook.url, event_types=[])
        loopback_allowed.WEBHOOKS_ALLOWED_NETWORKS = []  # as if the name now pointed inside
        delivery = deliver(shop_a.shop)
    finally:
        hook.close()
    assert hook.requests == []
    assert "refused" in delivery.response_excerpt
    assert delivery.state != WebhookDelivery.State.DELIVERED


def test_redirects_are_not_followed(shop_a, loopback_allowed):
    target = Receiver([200])
    hook = Receiver([302])
    hook.location = target.url
    try:
        add_webhook_endpoint(shop_a.shop, url=hook.url, event_types=[])
        delivery = deliver(shop_a.shop)
    finally:
        hook.close()
        target.close()
    assert len(hook.requests) == 1 and target.requests == []
    assert delivery.response_status == 302
    assert delivery.state != WebhookDelivery.State.DELIVERED


def test_the_answer_kept_for_the_shop_is_size_limited(shop_a, loopback_allowed):
    hook = Receiver([500])
    hook.body = b"x" * 100_000
    try:
        add_webhook_endpoint(shop_a.shop, url=hook.url, event_types=[])
        delivery = deliver(shop_a.shop)
    finally:
        hook.close()
    assert delivery.response_status == 500
    assert 0 < len(delivery.response_excerpt) <= 500
