"""Reading the help centre in one language, falling back to the shop's own and then any."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from aftersale.service.help.models import (
    LANGUAGES,
    HelpArticle,
    HelpArticleTranslation,
    HelpCategory,
)

# A help centre lists at most this many articles on one page.
MAX_ARTICLES = 500


@dataclass(frozen=True)
class ArticleView:
    article: HelpArticle
    text: HelpArticleTranslation

    @property
    def pk(self) -> int:
        return self.article.pk

    @property
    def title(self) -> str:
        return self.text.title


def language_order(shop, language: str) -> list[str]:
    order = [language, shop.default_language, *LANGUAGES]
    return list(dict.fromkeys(code for code in order if code in LANGUAGES))


def pick(translations, order: list[str]) -> HelpArticleTranslation | None:
    by_language = {row.language: row for row in translations}
    return next((by_language[code] for code in order if code in by_language), None)


def _with_translations(queryset):
    return queryset.prefetch_related(
        Prefetch("translations", queryset=HelpArticleTranslation.objects.order_by("language"))
    )


def published_by_category(shop, language: str) -> list[tuple[str, list[ArticleView]]]:
    """[(category name, [article, …]), …] in the merchant's order, empty categories left out."""
    order = language_order(shop, language)
    articles = _with_translations(
        HelpArticle.objects.for_shop(shop).filter(published=True).select_related("category")
    ).order_by("category__position", "category_id", "position", "id")[:MAX_ARTICLES]
    groups: list[tuple[str, list[ArticleView]]] = []
    current = None
    for article in articles:
        text = pick(article.translations.all(), order)
        if text is None:
            continue
        if article.category_id != current:
            groups.append((article.category.name(order[0]), []))
            current = article.category_id
        groups[-1][1].append(ArticleView(article, text))
    return groups


def published_article(shop, article_id: int, language: str) -> ArticleView | None:
    article = (
        _with_translations(HelpArticle.objects.for_shop(shop).filter(published=True))
        .select_related("category")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        return None
    text = pick(article.translations.all(), language_order(shop, language))
    return ArticleView(article, text) if text else None


def articles_for_topics(shop, topics: list[str], language: str, limit: int = 4):
    """Published articles about ``topics`` (in that order of importance), for portal pages."""
    order = language_order(shop, language)
    articles = _with_translations(
        HelpArticle.objects.for_shop(shop).filter(published=True, topic__in=topics)
    ).order_by("position", "id")[:50]
    views = [
        ArticleView(article, text)
        for article in articles
        if (text := pick(article.translations.all(), order)) is not None
    ]
    views.sort(key=lambda view: topics.index(view.article.topic))
    return views[:limit]


def categories_with_counts(shop):
    """The back-office list: categories in order, each with its articles and translations."""
    return HelpCategory.objects.for_shop(shop).prefetch_related(
        Prefetch(
            "articles",
            queryset=_with_translations(HelpArticle.objects.order_by("position", "id")),
        )
    )
