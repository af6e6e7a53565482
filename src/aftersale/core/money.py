"""Money as people read it: integer cents and a currency, in the active language's style.

One formatter for the customers' pages, the back-office and the e-mails.

Django's own number formatting supplies the separators of the active locale (``1 234,50`` in
Finnish and Swedish, ``1,234.50`` in English); this module only places the currency symbol.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats, translation

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "SEK": "kr", "NOK": "kr", "DKK": "kr"}
# Languages that write the symbol before the amount (``€1,234.50``); the others write it after,
# separated by a no-break space (``1 234,50 €``).
SYMBOL_FIRST = {"en"}
PREFIX_SYMBOLS = {"€", "$", "£"}


def format_money(cents: int | None, currency: str = "EUR", language: str | None = None) -> str:
    """``format_money(123450, "EUR")`` is ``1 234,50 €`` in Finnish and ``€1,234.50`` in English."""
    if cents is None:
        return "–"
    language = (language or translation.get_language() or "en").split("-")[0].lower()
    currency = (currency or "EUR").upper()
    with translation.override(language):
        number = formats.number_format(
            abs(Decimal(int(cents)).scaleb(-2)), decimal_pos=2, use_l10n=True, force_grouping=True
        )
    symbol = SYMBOLS.get(currency, currency)
    sign = "-" if cents < 0 else ""
    if language in SYMBOL_FIRST:
        if symbol in PREFIX_SYMBOLS:
            return f"{sign}{symbol}{number}"
        return f"{sign}{currency}\xa0{number}"
    return f"{sign}{number}\xa0{symbol}"
