"""Every marketing e-mail shows an unsubscribe link and who is sending it, in its text and its
HTML, whatever its template says; the built-in marketing flows and their texts."""

from __future__ import annotations

import pytest

from aftersale.flows.models import LANGUAGES, Flow, Kind, Message, Template
from aftersale.flows.services import set_flow_enabled
from tests.factories import CustomerFactory
from tests.flows.conftest import worker_pass
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins


@pytest.fixture
def shop(shop_a):
    shop = shop_a.shop
    shop.address = "Mannerheimintie 1\n00100 Helsinki"
    shop.contact_email = "asiakaspalvelu@pohjola.example"
    shop.save()
    turn_off_builtins(shop)
    return shop


def html_of(received) -> str:
    return received.message.get_body(preferencelist=("html",)).get_content()


def test_a_marketing_email_ends_with_the_shop_and_an_unsubscribe_link(shop, smtp, clock):
    # The order-thanks text has no unsubscribe link of its own.
    marketing_flow(shop, wait=None, template="order_thanks")
    order = place_order(shop, CustomerFactory(shop=shop, marketing_consent=True, language="en"))
    worker_pass()
    [mail] = smtp.to(order.customer.email)
    url = f"https://aftersale.example/u/{Message.objects.get().unsubscribe_token}/"
    identity = "Pohjola Style · Mannerheimintie 1, 00100 Helsinki · asiakaspalvelu@pohjola.example"
    assert identity in mail.text
    assert f"Unsubscribe: {url}" in mail.text
    assert f'href="{url}"' in html_of(mail) and "Mannerheimintie 1" in html_of(mail)


def test_the_footer_is_in_the_customers_language(shop, smtp, clock):
    marketing_flow(shop, wait=None)
    order = place_order(shop, CustomerFactory(shop=shop, marketing_consent=True, language="sv"))
    worker_pass()
    [mail] = smtp.to(order.customer.email)
    assert "Avsluta prenumerationen: https://aftersale.example/u/" in mail.text


def test_a_transactional_email_has_no_marketing_footer(shop, smtp, clock):
    set_flow_enabled(shop, Flow.objects.get(shop=shop, key="order_thanks"), True)
    order = place_order(shop)
    worker_pass()
    [mail] = smtp.to(order.customer.email)
    assert "/u/" not in mail.text and mail.header("List-Unsubscribe") is None


def test_the_builtin_marketing_flows_are_installed_off_with_texts_in_three_languages(shop):
    flows = Flow.objects.for_shop(shop).filter(
        kind=Kind.MARKETING, key__in=["review_request", "win_back"]
    )
    assert {(f.key, f.enabled) for f in flows} == {("review_request", False), ("win_back", False)}
    for key in ("review_request", "review_reminder", "win_back"):
        languages = (
            Template.objects.for_shop(shop).filter(key=key).values_list("language", flat=True)
        )
        assert sorted(languages) == sorted(LANGUAGES)
