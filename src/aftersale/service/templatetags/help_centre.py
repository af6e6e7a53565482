"""Template tags portal pages use: the opening status and the help articles that fit a page."""

from __future__ import annotations

from django import template
from django.utils import timezone, translation

from aftersale.service.help.selectors import articles_for_topics
from aftersale.service.hours import opening_status

register = template.Library()


@register.inclusion_tag("service/opening_status.html")
def opening_status_of(shop):
    """ "We answer within 1 business day. Closed now, back Monday at 9:00." for ``shop``."""
    if shop is None:
        return {"status": None}
    language = translation.get_language() or shop.default_language
    return {"status": opening_status(shop, timezone.now(), language), "shop": shop}


@register.inclusion_tag("service/help_links.html")
def help_links(shop, topics: str):
    """Links to the shop's published articles about ``topics`` ("returns,exchanges")."""
    if shop is None:
        return {"articles": []}
    wanted = [topic.strip() for topic in topics.split(",") if topic.strip()]
    language = translation.get_language() or shop.default_language
    return {"articles": articles_for_topics(shop, wanted, language), "shop": shop}
