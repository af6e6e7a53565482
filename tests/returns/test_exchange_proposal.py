"""An exchange proposes the size the reason implies: one up for "too small", one down for "too
large", in the colour that was bought; never another colour, product or a size the wrong way."""

from __future__ import annotations

import pytest

from aftersale.returns import policy
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def bought(shop, sizes, colours, *, size, colour, stock=5, out_of_stock=()):
    """A product in every ``sizes`` × ``colours``; returns the order line for size/colour."""
    product = ProductFactory(shop=shop, name="Runner")
    variants = {
        (s, c): VariantFactory(
            shop=shop,
            product=product,
            size=s,
            colour=c,
            sku=f"RUN-{c}-{s}".replace(" ", ""),
            stock=0 if (s, c) in out_of_stock else stock,
        )
        for c in colours
        for s in sizes
    }
    order = OrderFactory(shop=shop)
    return OrderLineFactory(order=order, variant=variants[(size, colour)], name="Runner"), variants


SHOES = [str(n) for n in range(36, 46)]


def test_too_small_shoes_propose_the_next_size_up_in_the_same_colour(shop_a):
    # The measured failure: 43 beige became 36 white (the first SKU in stock).
    line, variants = bought(shop_a.shop, SHOES, ["white", "beige"], size="43", colour="beige")
    assert policy.proposed_exchange(line, "too_small") == variants[("44", "beige")]


def test_too_large_shoes_propose_the_next_size_down(shop_a):
    line, variants = bought(shop_a.shop, SHOES, ["white", "beige"], size="43", colour="beige")
    assert policy.proposed_exchange(line, "too_large") == variants[("42", "beige")]


def test_clothing_letters_step_by_size_not_by_alphabet(shop_a):
    sizes = ["XS", "S", "M", "L", "XL", "XXL"]
    line, variants = bought(shop_a.shop, sizes, ["black"], size="L", colour="black")
    assert policy.proposed_exchange(line, "too_small") == variants[("XL", "black")]
    assert policy.proposed_exchange(line, "too_large") == variants[("M", "black")]


def test_half_sizes_and_gaps_give_the_nearest_size(shop_a):
    sizes = ["42", "42,5", "44"]
    line, variants = bought(shop_a.shop, sizes, ["grey"], size="42", colour="grey")
    assert policy.proposed_exchange(line, "too_small") == variants[("42,5", "grey")]


def test_a_mix_of_letters_and_numbers_steps_within_its_own_kind(shop_a):
    sizes = ["S", "M", "L", "38", "40"]
    line, variants = bought(shop_a.shop, sizes, ["navy"], size="M", colour="navy")
    assert policy.proposed_exchange(line, "too_small") == variants[("L", "navy")]
    line, variants = bought(shop_a.shop, sizes, ["red"], size="38", colour="red")
    assert policy.proposed_exchange(line, "too_small") == variants[("40", "red")]


def test_the_proposal_stays_even_when_out_of_stock_so_the_page_can_say_so(shop_a):
    line, variants = bought(
        shop_a.shop, SHOES, ["beige"], size="43", colour="beige", out_of_stock={("44", "beige")}
    )
    proposal = policy.proposed_exchange(line, "too_small")
    assert proposal == variants[("44", "beige")]
    assert proposal not in policy.exchange_options(line)


def test_no_proposal_past_the_largest_size_or_for_other_reasons(shop_a):
    line, _ = bought(shop_a.shop, SHOES, ["beige", "white"], size="45", colour="beige")
    assert policy.proposed_exchange(line, "too_small") is None
    assert policy.proposed_exchange(line, "changed_mind") is None
    assert policy.proposed_exchange(line, "quality") is None


def test_the_options_list_the_bought_colour_first_in_size_order(shop_a):
    sizes = ["XL", "S", "L", "M"]
    line, _ = bought(shop_a.shop, sizes, ["white", "beige"], size="M", colour="beige")
    labels = [(v.colour, v.size) for v in policy.exchange_options(line)]
    assert labels == [
        ("beige", "S"),
        ("beige", "L"),
        ("beige", "XL"),
        ("white", "S"),
        ("white", "M"),
        ("white", "L"),
        ("white", "XL"),
    ]
