"""Sizes sort from small to large, whether letters, shoe and EU numbers or a mix."""

from __future__ import annotations

import random

import pytest

from aftersale.catalog.sizes import size_order, sort_key


def shuffled_sorted(sizes):
    mixed = list(sizes)
    random.Random(3).shuffle(mixed)
    return sorted(mixed, key=sort_key)


def test_clothing_letters_sort_from_xs_to_xxl():
    sizes = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL"]
    assert shuffled_sorted(sizes) == sizes


def test_alphabetical_order_is_not_size_order():
    assert sorted(["S", "M", "L", "XL"]) != ["S", "M", "L", "XL"]
    assert sorted(["S", "M", "L", "XL"], key=sort_key) == ["S", "M", "L", "XL"]


@pytest.mark.parametrize(
    "sizes",
    [
        ["36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46"],
        ["8", "9", "10", "11", "12"],  # as text, "10" < "8"
        ["42", "42 1/3", "42,5", "42 2/3", "43"],
        ["EU 38", "EU 39", "EU 40"],
    ],
)
def test_numeric_shoe_and_eu_sizes_sort_by_their_value(sizes):
    assert shuffled_sorted(sizes) == sizes


def test_spellings_of_one_size_are_one_size():
    assert size_order("2XL").value == size_order("XXL").value
    assert size_order("xl").value == size_order("XL").value
    assert size_order("Large").value == size_order("L").value


def test_combined_letter_sizes_sit_between_their_halves():
    assert shuffled_sorted(["S", "S/M", "M", "M/L", "L"]) == ["S", "S/M", "M", "M/L", "L"]


def test_a_mix_keeps_letters_and_numbers_apart_and_unknown_sizes_last():
    sizes = ["XS", "M", "XL", "34", "36", "40", "One size"]
    assert shuffled_sorted(sizes) == sizes
    assert not size_order("M").comparable(size_order("38"))
    assert size_order("M").comparable(size_order("XL"))
    assert not size_order("One size").comparable(size_order("One size"))
