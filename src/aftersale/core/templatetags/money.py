"""``{% load money %}`` then ``{{ cents|money:currency }}``: integer cents as money in the active
language, the same on the customers' pages, in the back-office and in e-mails."""

from __future__ import annotations

from django import template

from aftersale.core.money import format_money

register = template.Library()


@register.filter
def money(cents, currency="EUR"):
    """``1 234,50 €`` (fi, sv), ``€1,234.50`` (en); a dash when there is no amount."""
    if cents in (None, ""):
        return "–"
    return format_money(int(cents), currency or "EUR")
