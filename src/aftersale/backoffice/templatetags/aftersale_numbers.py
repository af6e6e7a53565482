"""Numbers for people: shares as percentages in the active language."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(share, decimals: int = 1):
    """0.0425 → "4.3 %" (en) / "4,3 %" (fi, sv); empty for a missing value."""
    if share is None or share == "":
        return ""
    return f"{number_format(float(share) * 100, decimal_pos=int(decimals))} %"
