"""Form widgets written in Python: the same markup as Django's widget templates, without a
template render per input and per option.

Every search and filter form of the back-office and the portal's sign-in forms render their
inputs and selects on each view; through Django's templates a select of ten options cost as
much as the rest of a small page. ``WidgetRenderer`` (the ``FORM_RENDERER``) writes text-like
inputs, selects and their options itself when the template it would use is Django's own
(tests/core/test_widgets.py checks the markup is identical); anything else, or a widget
template a project overrides, goes through the templates as before.
"""

from __future__ import annotations

from pathlib import Path

import django
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"
INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in ("text", "email", "search", "tel", "url", "number", "password", "hidden",
                 "date", "datetime", "time", "color", "checkbox", "input")
}  # fmt: skip
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"
DJANGOS_OWN = Path(django.__file__).resolve().parent / "forms" / "templates"


def _attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def render_input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def render_option(option: dict) -> str:
    return (
        f'<option value="{conditional_escape(str(option["value"]))}"'
        f"{_attrs(option['attrs'])}>{conditional_escape(localize(option['label']))}</option>"
    )


def render_select(widget: dict) -> str:
    html = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            html.append(f"\n  {render_option(option)}\n")  # the option template's last line
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return "".join(html)


class WidgetRenderer(DjangoTemplates):
    """Django's template renderer, with the common widgets written in Python."""

    def __init__(self):
        super().__init__()
        self._own: dict[str, bool] = {}

    def _is_djangos_own(self, template_name: str) -> bool:
        """True when the template the renderer would use is Django's, not an override."""
        if template_name not in self._own:
            origin = Path(self.get_template(template_name).origin.name).resolve()
            self._own[template_name] = origin.is_relative_to(DJANGOS_OWN)
        return self._own[template_name]

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None and self._is_djangos_own(template_name):
            if template_name in INPUTS:
                return mark_safe(render_input(widget))  # noqa: S308  (every value escaped)
            if template_name == SELECT and self._options_are_plain(widget):
                return mark_safe(render_select(widget))  # noqa: S308  (every value escaped)
        return super().render(template_name, context, request)

    def _options_are_plain(self, widget: dict) -> bool:
        return self._is_djangos_own(OPTION) and all(
            option["template_name"] == OPTION
            for _name, choices, _index in widget["optgroups"]
            for option in choices
        )
