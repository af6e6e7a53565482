"""Pydantic's validation errors in the reader's words and language.

The CSV import's report is read by merchants in Finnish, Swedish or English; pydantic writes
its messages in English only. ``describe`` turns the error types a shop's file can produce into
short messages of our own, through gettext; anything else keeps pydantic's text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

PATTERNS = {
    r"^[A-Z]{3}$": lambda: _("must be a three-letter currency code such as EUR"),
    r"^[A-Z]{2}$": lambda: _("must be a two-letter country code such as FI"),
}


def describe(error: dict[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "missing":
        return _("is required")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("must be a whole number")
    if kind in ("bool_parsing", "bool_type"):
        return _("must be yes or no")
    if kind in ("string_type", "string_unicode"):
        return _("must be text")
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("must not be empty")
        return _("must be at least %(count)s characters long") % {"count": ctx["min_length"]}
    if kind == "string_too_long":
        return _("must be at most %(count)s characters long") % {"count": ctx["max_length"]}
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in PATTERNS:
        return PATTERNS[ctx["pattern"]]()
    if kind in ("greater_than_equal", "greater_than"):
        return _("must be at least %(limit)s") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("must be at most %(limit)s") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind == "enum":
        return _("must be one of %(choices)s") % {"choices": ctx["expected"]}
    if kind in ("datetime_parsing", "datetime_from_date_parsing", "datetime_type"):
        return _("must be a date and time such as 2026-11-02T10:00:00+02:00")
    if kind == "timezone_aware":
        return _("must include the offset from UTC, such as +02:00")
    if kind == "too_long":
        return _("has more than %(count)s items") % {"count": ctx["max_length"]}
    return error["msg"]
