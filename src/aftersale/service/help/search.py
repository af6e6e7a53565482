"""Finding help articles: PostgreSQL full-text search in the article's language, and a ranked
word-matching fallback on SQLite.

On PostgreSQL the text is read with the language's own configuration (``finnish``,
``swedish``, ``english``: stemming and stop words), titles weigh more than the text, and a GIN
index per language (migration ``0002_help_centre``) keeps it fast. Every search term matches as
a prefix ("palau" finds "palautus"), and an article that matches more of the terms ranks
higher, so a long message from the contact form finds the articles it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse

from aftersale.service.help.models import HelpArticleTranslation

CONFIGS = {"fi": "finnish", "sv": "swedish", "en": "english"}
MAX_TERMS = 32
# SQLite scores this many candidate rows at most (a help centre has tens or hundreds).
MAX_CANDIDATES = 500
TABLE = HelpArticleTranslation._meta.db_table


@dataclass(frozen=True)
class Hit:
    """One article found: its title and address in the portal, and where it starts."""

    article_id: int
    language: str
    title: str
    url: str
    excerpt: str


def search_vector_sql(config: str) -> str:
    """The indexed expression; the query repeats it exactly, so PostgreSQL uses the index."""
    return (
        f"(setweight(to_tsvector('{config}'::regconfig, {TABLE}.title), 'A') || "
        f"setweight(to_tsvector('{config}'::regconfig, {TABLE}.body), 'B'))"
    )


def terms_of(text: str) -> list[str]:
    words = re.findall(r"\w+", (text or "").casefold())
    seen: list[str] = []
    for word in words:
        if len(word) >= 2 and word not in seen and not word.isdigit():
            seen.append(word.replace("_", ""))
    return [word for word in seen if word][:MAX_TERMS]


def _published(shop, language: str):
    return (
        HelpArticleTranslation.objects.for_shop(shop)
        .filter(language=language, article__published=True)
        .select_related("article")
    )


def search_articles(shop, language: str, text: str, limit: int = 20) -> list[Hit]:
    """The published articles that best match ``text``, best first, in ``language``."""
    terms = terms_of(text)
    if not terms or language not in CONFIGS:
        return []
    if connection.vendor == "postgresql":
        rows = _postgres(shop, language, terms, limit)
    else:
        rows = _fallback(shop, language, terms, limit)
    return [_hit(shop, row) for row in rows]


def suggest_articles(shop, language: str, text: str, limit: int = 3) -> list[Hit]:
    """The few articles that may answer ``text`` before it is sent (the contact form asks)."""
    return search_articles(shop, language, text, limit=limit)


def postgres_query(shop, language: str, terms: list[str]):
    """The ranked full-text query. Each term also matches by its first letters, since the
    Finnish stemmer leaves "palautus" whole while it cuts "palautuksen" to "palautuks"."""
    config = CONFIGS[language]
    words = list(dict.fromkeys(word for term in terms for word in (term, _stem(term))))
    query = " | ".join(f"{word}:*" if len(word) >= 3 else word for word in words)
    vector = search_vector_sql(config)
    tsquery = f"to_tsquery('{config}'::regconfig, %s)"
    return (
        _published(shop, language)
        .annotate(rank=RawSQL(f"ts_rank({vector}, {tsquery})", [query]))
        .extra(where=[f"{vector} @@ {tsquery}"], params=[query])  # noqa: S610 - fixed SQL
        .order_by("-rank", "article__category__position", "article__position", "id")
    )


def _postgres(shop, language: str, terms: list[str], limit: int):
    return list(postgres_query(shop, language, terms)[:limit])


def _stem(term: str) -> str:
    """A crude stem for matching inflected Finnish and Swedish words without a dictionary."""
    return term[: max(4, len(term) - 3)] if len(term) > 6 else term


def _fallback(shop, language: str, terms: list[str], limit: int):
    stems = [_stem(term) for term in terms]
    matches = Q()
    for stem in stems:
        matches |= Q(title__icontains=stem) | Q(body__icontains=stem)
    candidates = _published(shop, language).filter(matches)[:MAX_CANDIDATES]
    scored = []
    for row in candidates:
        title_words = re.findall(r"\w+", row.title.casefold())
        body_words = re.findall(r"\w+", row.body.casefold())
        score = 0.0
        for stem in stems:
            in_title = sum(word.startswith(stem) for word in title_words)
            in_body = sum(word.startswith(stem) for word in body_words)
            if in_title or in_body:
                score += 1 + 2 * min(in_title, 1) + 0.25 * min(in_body, 4)
        if score:
            scored.append((-score, row.article.position, row.pk, row))
    scored.sort(key=lambda item: item[:3])
    return [row for *_key, row in scored[:limit]]


def _hit(shop, row: HelpArticleTranslation) -> Hit:
    body = " ".join(row.body.split())
    return Hit(
        article_id=row.article_id,
        language=row.language,
        title=row.title,
        url=reverse(
            "portal:help_article", kwargs={"shop_slug": shop.slug, "article_id": row.article_id}
        ),
        excerpt=body[:160] + ("…" if len(body) > 160 else ""),
    )
