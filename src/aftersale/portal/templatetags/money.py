"""``{{ cents|money:currency }}``: integer cents shown as an amount in the reader's locale."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()

SYMBOLS = {"EUR": "€", "SEK": "kr", "NOK": "kr", "DKK": "kr", "USD": "$", "GBP": "£"}


@register.filter
def money(cents, currency="EUR"):
    if cents is None or cents == "":
        return ""
    amount = number_format(int(cents) / 100, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{amount}\u00a0{SYMBOLS.get(currency, currency)}"
