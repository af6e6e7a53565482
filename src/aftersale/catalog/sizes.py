"""The order of a product's sizes: clothing letters, numeric (shoe, EU, waist) sizes and mixes.

``size_order("M")`` gives a key that sorts sizes from small to large. Letters follow
XXS < XS < S < M < L < XL < XXL < XXXL ("2XL" and "XXL" are one size, "S/M" sits between S
and M); numbers are read with a decimal point or comma and an optional fraction ("42", "42,5",
"43 1/3", "EU 44"). Two sizes are comparable only when both are letters or both are numbers:
the next size up from an "M" is never a "38".
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import NamedTuple

LETTERS = {"XXS": 0, "XS": 1, "S": 2, "M": 3, "L": 4, "XL": 5, "XXL": 6, "XXXL": 7, "XXXXL": 8}
_LETTER = re.compile(r"^(?:(\d)X([SL])|(X*)(S|M|L))$")
_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)(?:\s+(\d)/(\d))?")
_WORDS = {"SMALL": "S", "MEDIUM": "M", "LARGE": "L"}


class SizeOrder(NamedTuple):
    """``kind`` is "letter", "number" or "" (not a size we can place); ``value`` its rank."""

    kind: str
    value: float
    text: str

    def comparable(self, other: SizeOrder) -> bool:
        return bool(self.kind) and self.kind == other.kind


def _letter_rank(token: str) -> float | None:
    token = _WORDS.get(token, token)
    match = _LETTER.match(token)
    if not match:
        return None
    if match.group(1):  # "2XL", "3XS"
        count, end = int(match.group(1)), match.group(2)
        token = "X" * count + end
    return LETTERS.get(token)


def size_order(size: str) -> SizeOrder:
    """A sort key for ``size``; unknown texts sort after every known size, by their text."""
    text = (size or "").strip()
    upper = re.sub(r"\s+", " ", text.upper())
    parts = [part.strip() for part in re.split(r"[/\-–]", upper) if part.strip()]
    letters = [_letter_rank(part) for part in parts]
    if parts and all(rank is not None for rank in letters):
        ranks = [float(rank) for rank in letters if rank is not None]
        return SizeOrder("letter", sum(ranks) / len(ranks), text)
    number = _NUMBER.search(upper)
    if number:
        value = Fraction(number.group(1).replace(",", "."))
        if number.group(2):
            value += Fraction(int(number.group(2)), int(number.group(3)))
        return SizeOrder("number", float(value), text)
    return SizeOrder("", 0.0, text)


def sort_key(size: str) -> tuple[int, float, str]:
    """Letters first, then numbers, then anything else; each from small to large."""
    order = size_order(size)
    return ({"letter": 0, "number": 1}.get(order.kind, 2), order.value, order.text.casefold())
