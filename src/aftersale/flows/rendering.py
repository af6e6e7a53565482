"""Rendering stored template text with Django's template engine, in a sandbox.

The engine has no template loaders and no extra tag libraries, and the context holds only
plain values (strings, numbers, lists and dicts of them), so a merchant's template cannot reach
models, settings or files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.template import Context, Engine, TemplateSyntaxError
from django.utils.html import escape, linebreaks, urlize

SANDBOX = Engine(dirs=[], app_dirs=False, libraries={}, autoescape=False, string_if_invalid="")


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str

    @property
    def html(self) -> str:
        """The body as simple HTML: paragraphs, line breaks and clickable links."""
        return linebreaks(urlize(escape(self.body), autoescape=False), autoescape=False)


def check_syntax(text: str) -> str:
    """An error message if ``text`` is not a valid template, else ""."""
    try:
        SANDBOX.from_string(text)
    except TemplateSyntaxError as exc:
        return str(exc)
    return ""


@lru_cache(maxsize=256)
def compiled(text: str):
    """Templates are parsed once per worker process, not once per message."""
    return SANDBOX.from_string(text)


def render_text(text: str, context: dict) -> str:
    return compiled(text).render(Context(context, autoescape=False))


def render(subject: str, body: str, context: dict) -> Rendered:
    rendered_subject = " ".join(render_text(subject, context).split())
    rendered_body = render_text(body, context).strip() + "\n"
    return Rendered(subject=rendered_subject, body=rendered_body)
