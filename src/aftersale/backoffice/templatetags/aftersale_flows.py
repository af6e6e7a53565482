"""Template filters for the flow pages: event types and conditions by their human names.

``{% load aftersale_flows %}`` then ``{{ flow.trigger_type|event_label }}``,
``{{ flow.exit_events|event_labels }}`` and ``{{ step.condition|condition_label }}``.
"""

from __future__ import annotations

from django import template

from aftersale.backoffice.timeline import type_label
from aftersale.core.money import format_money
from aftersale.flows.conditions import CONDITIONS

register = template.Library()


@register.filter
def event_label(event_type: str) -> str:
    return type_label(event_type)


@register.filter
def event_labels(event_types) -> str:
    return ", ".join(type_label(t) for t in event_types or [])


@register.filter
def condition_label(name: str) -> str:
    condition = CONDITIONS.get(name)
    return str(condition.label) if condition else name


@register.filter
def condition_labels(names) -> str:
    return ", ".join(condition_label(n) for n in names or [])


@register.filter
def signed_money(cents, currency="EUR") -> str:
    """Money with its sign always written: ``+1,10 €``, ``−0,40 €`` (a true minus sign)."""
    if cents in (None, ""):
        return "–"
    cents = int(cents)
    amount = format_money(abs(cents), currency or "EUR")
    if cents > 0:
        return f"+{amount}"
    if cents < 0:
        return f"\u2212{amount}"
    return amount
