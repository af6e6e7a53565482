"""A customer registers a return in two steps: items and reasons, then offers and details."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from aftersale.returns.models import ReturnRequest
from aftersale.returns.policy import PHOTO_MAX_BYTES
from aftersale.reviews.models import ReviewStatus
from tests.factories import ProductFactory, VariantFactory
from tests.returns.fixtures import DELIVERED_AT, delivered_order, photo, set_policy
from tests.reviews.showing import review

pytestmark = pytest.mark.usefixtures("_inside_the_window")


@pytest.fixture
def _inside_the_window():
    with time_machine.travel(DELIVERED_AT + timedelta(days=3)):
        yield


def first_line(order):
    return order.lines.order_by("id").first()


def choose(client, order, reason="too_small", quantity=1):
    line = first_line(order)
    return client.post(
        f"/s/{order.shop.slug}/orders/{order.pk}/return/",
        {
            "step": "choose",
            f"line-{line.pk}-selected": "1",
            f"line-{line.pk}-quantity": str(quantity),
            f"line-{line.pk}-reason": reason,
            f"line-{line.pk}-comment": "Tight at the shoulders",
        },
    )


def confirm(client, order, reason="too_small", **extra):
    line = first_line(order)
    data = {
        "step": "confirm",
        f"line-{line.pk}-selected": "1",
        f"line-{line.pk}-quantity": "1",
        f"line-{line.pk}-reason": reason,
        f"line-{line.pk}-comment": "Tight at the shoulders",
        "resolution": "refund",
        "method": "drop_off",
    }
    data.update(extra)
    return client.post(f"/s/{order.shop.slug}/orders/{order.pk}/return/", data)


def test_before_confirming_it_offers_an_exchange_and_the_size_advice(shop_a, signed_in):
    set_policy(shop_a.shop, store_credit_bonus_bp=1000)
    order = delivered_order(shop_a.shop)
    response = choose(signed_in(order), order)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Before you send it back" in body
    assert "The next size up of Merino shirt is L / black: 2 in stock." in body
    assert "Runs small: take one size up." in body
    assert "get 10 % extra" in body
    assert 'value="refund" checked' in body  # the exchange is offered, never pre-chosen
    assert 'value="exchange" checked' not in body


def test_too_small_shoes_propose_the_next_size_up_and_preselect_nothing(shop_a, signed_in):
    """Measured: the portal pre-selected the exchange and the first SKU in stock, so a
    "too small" 43 beige became a 36 white."""
    order = delivered_order(shop_a.shop)
    line = first_line(order)
    product = ProductFactory(shop=shop_a.shop, name="Trail runner")
    for colour in ("white", "beige"):
        for size in range(36, 46):
            VariantFactory(
                shop=shop_a.shop,
                product=product,
                size=str(size),
                colour=colour,
                sku=f"TR-{colour}-{size}",
                stock=0 if (colour, size) == ("beige", 45) else 4,
            )
    line.variant = product.variants.get(size="43", colour="beige")
    line.name = "Trail runner 43 beige"
    line.save()

    body = choose(signed_in(order), order).content.decode()
    assert "The next size up of Trail runner is 44 / beige: 4 in stock." in body
    select = re.search(rf'<select id="line-{line.pk}-exchange".*?</select>', body, re.S).group()
    options = re.findall(r"<option ([^>]*)>([^<]*)</option>", select)
    assert [attrs for attrs, _ in options if "selected" in attrs] == []  # the placeholder shows
    assert options[0][0] == 'value=""'
    assert options[1][1].startswith("44 / beige (suggested)")
    assert re.findall(r'name="resolution" value="(\w+)" checked', body) == ["refund"]


def test_an_exchange_without_a_chosen_size_asks_for_one(shop_a, signed_in):
    order = delivered_order(shop_a.shop)
    response = confirm(signed_in(order), order, resolution="exchange")
    assert response.status_code == 400
    assert "choose the size or colour you want instead." in response.content.decode()
    assert not ReturnRequest.objects.for_shop(shop_a.shop).exists()


def test_an_out_of_stock_next_size_is_said_and_not_offered(shop_a, signed_in):
    order = delivered_order(shop_a.shop)
    line = first_line(order)
    line.variant = line.variant.product.variants.get(size="L")
    line.save()  # bought L: the next size up, XL, is sold out
    body = choose(signed_in(order), order).content.decode()
    assert "The next size up of Merino shirt, XL / black, is out of stock right now." in body
    assert "XL / black (suggested)" not in body


@pytest.mark.parametrize(
    ("language", "advice"),
    [
        ("fi", "Pieni malli: valitse kokoa suurempi."),
        ("sv", "Liten i storleken: välj en storlek större."),
        ("en", "Runs small: take one size up."),
    ],
)
def test_the_size_advice_is_in_the_pages_language(shop_a, signed_in, client, language, advice):
    """Measured: the Finnish size advice showed on Swedish pages."""
    order = delivered_order(shop_a.shop)
    client.cookies["django_language"] = language
    body = choose(signed_in(order), order).content.decode()
    assert advice in body
    others = {"Pieni malli", "Liten i storleken", "Runs small"} - {advice.split(":")[0]}
    assert not [text for text in others if text in body]


def test_advice_missing_in_the_pages_language_is_left_out(shop_a, signed_in, client):
    order = delivered_order(shop_a.shop)
    product = first_line(order).variant.product
    product.size_advice_translations = {}
    product.save()
    client.cookies["django_language"] = "sv"
    body = choose(signed_in(order), order).content.decode()
    assert "Pieni malli" not in body
    assert "Storleksråd" not in body


SHOP_ADVICE = {
    "fi": "Pieni malli: valitse kokoa suurempi.",
    "sv": "Liten i storleken: välj en storlek större.",
    "en": "Runs small: take one size up.",
}


def _fit_answers(product, *fits, status=ReviewStatus.PUBLISHED):
    for fit in fits:
        review(product.shop, product, 4, fit=fit, status=status)


@pytest.mark.parametrize(
    ("language", "buyers"),
    [
        ("fi", "Useimmat ostajat sanovat sen olevan pieni: harkitse kokoa suurempaa."),
        ("sv", "De flesta köpare säger att den är liten i storleken: överväg en storlek större."),
        ("en", "Most buyers say it runs small: consider one size up."),
    ],
)
def test_what_most_buyers_say_about_the_fit_shows_beside_the_shops_advice(
    shop_a, signed_in, client, language, buyers
):
    order = delivered_order(shop_a.shop)
    _fit_answers(first_line(order).variant.product, *["runs_small"] * 3, "true_to_size", "")
    _fit_answers(first_line(order).variant.product, "runs_large")
    client.cookies["django_language"] = language
    body = choose(signed_in(order), order).content.decode()
    assert SHOP_ADVICE[language] in body  # the shop's own text stays
    assert buyers in body


@pytest.mark.parametrize(
    "fits",
    [
        ["runs_small"] * 4,  # fewer than five fit answers
        ["runs_small", "runs_small", "runs_large", "runs_large", "true_to_size"],  # no majority
    ],
)
def test_too_few_or_split_fit_answers_say_nothing(shop_a, signed_in, fits):
    order = delivered_order(shop_a.shop)
    product = first_line(order).variant.product
    _fit_answers(product, *fits)
    _fit_answers(product, "runs_small", status=ReviewStatus.PENDING)  # unpublished: not counted
    body = choose(signed_in(order), order).content.decode()
    assert "Runs small: take one size up." in body
    assert "Most buyers say" not in body


def test_it_registers_the_return_and_shows_its_status(shop_a, signed_in):
    order = delivered_order(shop_a.shop)
    client = signed_in(order)
    response = confirm(client, order)
    returned = ReturnRequest.objects.for_shop(shop_a.shop).get()
    assert response.status_code == 302
    assert response["Location"] == f"/s/pohjola/returns/{returned.code}/"
    body = client.get(response["Location"]).content.decode()
    assert returned.code in body
    assert "Download the return slip (PDF)" in body


def test_an_exchange_records_the_chosen_size(shop_a, signed_in):
    order = delivered_order(shop_a.shop)
    large = first_line(order).variant.product.variants.get(size="L")
    confirm(
        signed_in(order),
        order,
        resolution="exchange",
        **{f"line-{first_line(order).pk}-exchange": str(large.pk)},
    )
    returned = ReturnRequest.objects.for_shop(shop_a.shop).get()
    assert returned.lines.get().exchange_variant == large


def test_nothing_chosen_says_so(shop_a, signed_in):
    order = delivered_order(shop_a.shop)
    client = signed_in(order)
    response = client.post(f"/s/pohjola/orders/{order.pk}/return/", {"step": "choose"})
    assert response.status_code == 400
    assert "Choose at least one item to return." in response.content.decode()


def test_a_missing_reason_is_named_on_the_line(shop_a, signed_in):
    order = delivered_order(shop_a.shop)
    response = choose(signed_in(order), order, reason="")
    assert response.status_code == 400
    assert "Merino shirt M: choose a reason." in response.content.decode()


def test_a_complaint_without_a_photo_is_refused_clearly(shop_a, signed_in):
    order = delivered_order(shop_a.shop)
    response = confirm(signed_in(order), order, reason="arrived_damaged")
    assert response.status_code == 400
    assert "add a photo of the defect" in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_a_complaint_with_a_photo_is_registered(shop_a, signed_in):
    order = delivered_order(shop_a.shop)
    line = first_line(order)
    confirm(signed_in(order), order, reason="arrived_damaged", **{f"photos-{line.pk}": photo()})
    returned = ReturnRequest.objects.for_shop(shop_a.shop).get()
    assert (returned.kind, returned.lines.get().photos.count()) == ("complaint", 1)


def test_a_photo_of_the_wrong_type_gets_a_clear_error(shop_a, signed_in):
    order = delivered_order(shop_a.shop)
    line = first_line(order)
    document = photo("receipt.pdf", content_type="application/pdf")
    response = confirm(signed_in(order), order, **{f"photos-{line.pk}": document})
    assert response.status_code == 400
    assert "receipt.pdf is not a photo we can accept: upload a JPEG, PNG or WebP image." in (
        response.content.decode()
    )
    assert not ReturnRequest.objects.exists()


def test_an_oversized_photo_gets_a_clear_error(shop_a, signed_in):
    order = delivered_order(shop_a.shop)
    line = first_line(order)
    huge = photo("huge.png", size=PHOTO_MAX_BYTES + 1024)
    response = confirm(signed_in(order), order, **{f"photos-{line.pk}": huge})
    assert response.status_code == 400
    assert "huge.png is too large (5.0 MB): the limit is 5 MB per photo." in (
        response.content.decode()
    )


def test_a_customer_cannot_return_lines_of_another_order(shop_a, signed_in):
    mine = delivered_order(shop_a.shop)
    theirs = delivered_order(shop_a.shop, email="eero@example.fi")
    client = signed_in(mine)
    foreign = first_line(theirs)
    response = client.post(
        f"/s/pohjola/orders/{mine.pk}/return/",
        {
            "step": "confirm",
            f"line-{foreign.pk}-selected": "1",
            f"line-{foreign.pk}-quantity": "1",
            f"line-{foreign.pk}-reason": "too_small",
            "resolution": "refund",
            "method": "drop_off",
        },
    )
    assert response.status_code == 400
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reason", "bogus", "Merino shirt M: choose a reason."),
        ("quantity", "1e9", "Merino shirt M: choose how many to return."),
        ("quantity", "99999999999999999999999", "Merino shirt M: choose how many to return."),
        ("comment", "x" * 2001, "Merino shirt M: write at most 2,000 characters."),
        ("exchange", "-1", "Merino shirt M: choose the size or colour you want instead."),
    ],
)
@pytest.mark.parametrize("step", ["choose", "confirm"])
def test_a_tampered_field_is_refused_beside_its_line(
    shop_a, signed_in, step, field, value, message
):
    order = delivered_order(shop_a.shop)
    line = first_line(order)
    response = confirm(signed_in(order), order, step=step, **{f"line-{line.pk}-{field}": value})
    body = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="error" id="line-{line.pk}-error" role="alert">{message}</p>' in body
    assert not ReturnRequest.objects.exists()
