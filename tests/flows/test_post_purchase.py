"""The post-purchase programme: built-in marketing flows timed from receipt, with product
blocks (image, name, localised price, signed tracked links) and a plain-text part."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core import signing

from aftersale.catalog.models import ProductRelation
from aftersale.delivery.models import ShipmentStatus
from aftersale.flows.models import Click, Flow, Message, StepRun, Template
from aftersale.flows.products import new_arrivals, tracked_url
from aftersale.flows.scheduler import NOTHING_TO_OFFER
from aftersale.returns.models import ReturnState
from aftersale.timeline import types
from aftersale.timeline.services import record_event
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ReturnRequestFactory,
    ShipmentFactory,
    VariantFactory,
)
from tests.flows.conftest import START, worker_pass
from tests.flows.helpers import turn_off_builtins
from tests.reviews.showing import review


@pytest.fixture
def shop(shop_a):
    turn_off_builtins(shop_a.shop)
    return shop_a.shop


def turn_on(shop, key):
    Flow.objects.for_shop(shop).filter(key=key).update(enabled=True, holdout_percent=0)


@pytest.fixture
def phone(shop):
    """A phone with a case that fits it (an accessory relation) and the case in stock."""
    phones = CategoryFactory(shop=shop, name="Phones")
    cases = CategoryFactory(shop=shop, name="Cases")
    product = ProductFactory(shop=shop, name="Phone X", category=phones)
    case = ProductFactory(
        shop=shop,
        name="Case X",
        category=cases,
        url="https://shop.example/case-x",
        image_url="https://shop.example/case-x.jpg",
    )
    VariantFactory(shop=shop, product=product, stock=5, price_cents=49900)
    VariantFactory(shop=shop, product=case, stock=5, price_cents=123450)
    ProductRelation.objects.create(
        shop=shop, product=product, related=case, kind=ProductRelation.Kind.ACCESSORY
    )
    return product


def receive(shop, product, *, language="fi", status=ShipmentStatus.DELIVERED, customer=None):
    """A customer's order of ``product`` delivered (or picked up) now."""
    customer = customer or CustomerFactory(shop=shop, marketing_consent=True, language=language)
    order = OrderFactory(shop=shop, customer=customer, placed_at=START - timedelta(days=3))
    OrderLineFactory(order=order, variant=product.variants.first())
    shipment = ShipmentFactory(order=order, status=status)
    event = (
        types.SHIPMENT_DELIVERED if status == ShipmentStatus.DELIVERED else types.SHIPMENT_PICKED_UP
    )
    record_event(shop, event, subject=shipment, customer=customer)
    return order


PRICES = {"fi": "1\xa0234,50\xa0€", "sv": "1\xa0234,50\xa0€", "en": "€1,234.50"}
INTROS = {
    "fi": "Valitsimme sinulle tuotteita",
    "sv": "Vi har valt ut produkter",
    "en": "We picked a few things",
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_accessories_arrive_five_days_after_receipt_in_the_customers_language(
    shop, phone, smtp, clock, language
):
    turn_on(shop, "post_purchase_accessories")
    order = receive(shop, phone, language=language)
    worker_pass()
    clock.shift(timedelta(days=5) - timedelta(minutes=1))
    worker_pass()
    assert len(smtp.to(order.customer.email)) == 0
    clock.shift(timedelta(minutes=2))
    worker_pass()
    [mail] = smtp.to(order.customer.email)
    assert INTROS[language] in mail.text
    assert f"- Case X – {PRICES[language]}" in mail.text
    assert "https://aftersale.example/c/" in mail.text
    assert "Phone X" not in mail.text.split(INTROS[language])[1]  # not what was bought
    assert '<img src="https://shop.example/case-x.jpg" alt="Case X"' in mail.html
    assert PRICES[language].replace("\xa0", "&nbsp;") in mail.html or PRICES[language] in mail.html
    assert 'href="https://aftersale.example/c/' in mail.html


def test_it_starts_from_pickup_as_well_as_delivery(shop, phone, smtp, clock):
    turn_on(shop, "post_purchase_accessories")
    order = receive(shop, phone, status=ShipmentStatus.PICKED_UP)
    worker_pass()
    clock.shift(timedelta(days=5, minutes=1))
    worker_pass()
    assert len(smtp.to(order.customer.email)) == 1


def test_a_click_is_recorded_and_goes_on_to_the_product(client, shop, phone, smtp, clock):
    turn_on(shop, "post_purchase_accessories")
    order = receive(shop, phone, language="en")
    worker_pass()
    clock.shift(timedelta(days=5, minutes=1))
    worker_pass()
    [mail] = smtp.to(order.customer.email)
    link = re.search(r"https://aftersale.example(/c/\S+/)", mail.text).group(1)
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == "https://shop.example/case-x"
    click = Click.objects.get()
    assert click.message == Message.objects.get(customer=order.customer)
    assert click.product.name == "Case X"


def test_a_forged_click_link_leads_nowhere(client, shop, phone, smtp, clock):
    turn_on(shop, "post_purchase_accessories")
    order = receive(shop, phone)
    worker_pass()
    clock.shift(timedelta(days=5, minutes=1))
    worker_pass()
    message = Message.objects.get(customer=order.customer)
    good = tracked_url(message.idempotency_key, phone.pk, "https://shop.example/case-x")
    payload, stamp, signature = good.rstrip("/").rsplit("/", 1)[1].split(":")
    evil = signing.b64_encode(
        json.dumps({"k": message.idempotency_key, "p": phone.pk, "u": "https://evil.example/"})
        .replace(" ", "")
        .encode()
    ).decode()
    forged = f"{evil}:{stamp}:{signature}"
    assert payload != evil
    assert client.get(f"/c/{forged}/").status_code == 404
    assert client.get("/c/not-a-token/").status_code == 404
    assert not Click.objects.exists()


def test_no_accessories_while_something_is_being_returned(shop, phone, smtp, clock):
    turn_on(shop, "post_purchase_accessories")
    order = receive(shop, phone)
    worker_pass()
    ReturnRequestFactory(order=order, state=ReturnState.REQUESTED)
    record_event(shop, types.RETURN_REQUESTED, subject=order, customer=order.customer)
    worker_pass()
    clock.shift(timedelta(days=5, minutes=1))
    worker_pass()
    assert len(smtp.to(order.customer.email)) == 0


def test_nothing_to_offer_sends_nothing(shop, phone, smtp, clock):
    turn_on(shop, "post_purchase_accessories")
    phone.relations.all().delete()
    order = receive(shop, phone)
    worker_pass()
    clock.shift(timedelta(days=5, minutes=1))
    worker_pass()
    assert len(smtp.to(order.customer.email)) == 0
    assert StepRun.objects.get(step__type="email").skip_reason == NOTHING_TO_OFFER


def test_usage_tips_use_the_categorys_own_template(shop, phone, smtp, clock):
    turn_on(shop, "post_purchase_usage_tips")
    Template.objects.create(
        shop=shop,
        key="usage-tips-phones",
        language="fi",
        name="Usage tips Phones",
        subject="Puhelinvinkit",
        body="Lataa puhelin täyteen ennen ensimmäistä käyttöä.",
    )
    order = receive(shop, phone)
    worker_pass()
    clock.shift(timedelta(days=1, minutes=1))
    worker_pass()
    [mail] = smtp.to(order.customer.email)
    assert mail.subject == "Puhelinvinkit"
    assert "Lataa puhelin" in mail.text


def test_usage_tips_fall_back_to_the_general_text(shop, smtp, clock):
    turn_on(shop, "post_purchase_usage_tips")
    scarf = ProductFactory(shop=shop, name="Scarf")
    VariantFactory(shop=shop, product=scarf, stock=3)
    order = receive(shop, scarf, language="sv")
    worker_pass()
    clock.shift(timedelta(days=1, minutes=1))
    worker_pass()
    [mail] = smtp.to(order.customer.email)
    assert mail.subject == "Tips för ditt köp"
    assert "Scarf" in mail.text


def test_the_reorder_reminder_comes_three_days_before_the_customers_interval(shop, smtp, clock):
    turn_on(shop, "post_purchase_replenishment")
    printer = ProductFactory(shop=shop, name="Printer")
    ink = ProductFactory(shop=shop, name="Ink", url="https://shop.example/ink")
    VariantFactory(shop=shop, product=printer, stock=2)
    VariantFactory(shop=shop, product=ink, stock=9, price_cents=1990)
    ProductRelation.objects.create(
        shop=shop, product=printer, related=ink, kind=ProductRelation.Kind.CONSUMABLE
    )
    customer = CustomerFactory(shop=shop, marketing_consent=True, language="en")
    earlier = OrderFactory(shop=shop, customer=customer, placed_at=START - timedelta(days=43))
    OrderLineFactory(order=earlier, variant=ink.variants.first())
    order = receive(shop, ink, customer=customer)  # placed START - 3 days: 40 days later
    worker_pass()
    wait = StepRun.objects.get(run__order=order, step__type="wait")
    assert wait.due_at == order.placed_at + timedelta(days=40) - timedelta(days=3)
    clock.move_to(wait.due_at + timedelta(minutes=1))
    worker_pass()
    [mail] = smtp.to(customer.email)
    assert mail.subject == "Time to stock up?"
    assert "- Ink – €19.90" in mail.text


def test_no_reorder_reminder_without_a_known_interval(shop, smtp, clock):
    turn_on(shop, "post_purchase_replenishment")
    printer = ProductFactory(shop=shop, name="Printer")
    ink = ProductFactory(shop=shop, name="Ink")
    VariantFactory(shop=shop, product=ink, stock=9)
    ProductRelation.objects.create(
        shop=shop, product=printer, related=ink, kind=ProductRelation.Kind.CONSUMABLE
    )
    receive(shop, ink)
    worker_pass()
    assert StepRun.objects.get(step__type="wait").skip_reason == "no reorder interval known"


def test_new_arrivals_in_the_customers_categories(shop, phone, smtp, clock):
    turn_on(shop, "post_purchase_new_arrivals")
    order = receive(shop, phone, language="en")
    worker_pass()
    clock.shift(timedelta(days=20))
    newer = ProductFactory(shop=shop, name="Phone Y", category=phone.category)
    VariantFactory(shop=shop, product=newer, stock=1, price_cents=59900)
    elsewhere = ProductFactory(shop=shop, name="Garden hose")
    VariantFactory(shop=shop, product=elsewhere, stock=1)
    clock.shift(timedelta(days=10, minutes=1))
    worker_pass()
    [mail] = smtp.to(order.customer.email)
    assert "- Phone Y – €599.00" in mail.text
    assert "Garden hose" not in mail.text


def test_the_programme_is_off_and_marketing_by_default(shop_a):
    flows = Flow.objects.for_shop(shop_a.shop).filter(
        key__in=[
            "post_purchase_usage_tips",
            "post_purchase_accessories",
            "post_purchase_replenishment",
            "post_purchase_new_arrivals",
            "win_back_lapsing",
        ]
    )
    assert {(f.kind, f.enabled, f.holdout_percent) for f in flows} == {("marketing", False, 10)}
    assert flows.count() == 5
    for key in ("usage_tips", "accessories", "replenishment", "new_arrivals", "win_back_lapsing"):
        languages = Template.objects.for_shop(shop_a.shop).filter(key=key)
        assert sorted(languages.values_list("language", flat=True)) == ["en", "fi", "sv"]


def test_marketing_consent_is_needed(shop, phone, smtp, clock):
    turn_on(shop, "post_purchase_accessories")
    customer = CustomerFactory(shop=shop, marketing_consent=False)
    receive(shop, phone, customer=customer)
    worker_pass()
    clock.shift(timedelta(days=5, minutes=1))
    worker_pass()
    assert len(smtp) == 0


def test_new_arrivals_leave_out_a_poorly_rated_product(shop, phone, clock):
    customer = receive(shop, phone, language="en").customer
    for name in ("Phone Y", "Phone Z"):
        newer = ProductFactory(shop=shop, name=name, category=phone.category)
        VariantFactory(shop=shop, product=newer, stock=1)
    [phone_z, phone_y] = [p for p, _variant in new_arrivals(shop, customer, START)]
    assert (phone_z.name, phone_y.name) == ("Phone Z", "Phone Y")
    for rating in (1, 2, 2, 1, 3):  # five reviews, Bayesian average 1.8
        review(shop, phone_z, rating)
    assert [p.name for p, _variant in new_arrivals(shop, customer, START)] == ["Phone Y"]
