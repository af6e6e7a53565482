"""Amounts as the shop platforms send them ("19.90", 19.9) turned into integer cents, and the
lists and text their JSON holds, each checked before it is used."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from aftersale.orders.ingest import MAX_CENTS, FieldError, InvalidPayload


def cents(value, where: str) -> int:
    """``value`` in the currency's main unit as integer cents; InvalidPayload names ``where``."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise InvalidPayload([FieldError(where, "is not an amount")])
    try:
        amount = (Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise InvalidPayload([FieldError(where, "is not an amount")]) from None
    if not amount.is_finite() or abs(amount) > MAX_CENTS:
        raise InvalidPayload([FieldError(where, "is out of range")])
    return int(amount)


def total(amounts, where: str) -> int:
    """The sum of ``amounts`` (already in cents), refused beyond the largest amount."""
    amount = sum(amounts)
    if abs(amount) > MAX_CENTS:
        raise InvalidPayload([FieldError(where, "add up to more than the largest amount")])
    return amount


def listed(body: dict, key: str, where: str) -> list:
    """``body[key]`` as a list (missing or null: empty); anything else is refused by name."""
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidPayload([FieldError(f"{where}/{key}", "is not a list")])
    return value


def text(value) -> str:
    """A string field that may be missing, null or a number in the platform's JSON."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)
