"""Changing the help centre: categories, articles and their translations, feedback.

Views and commands call these; each runs in a transaction and names the field and language of
any problem, so a half-saved article never reaches customers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from aftersale.service.help.models import (
    LANGUAGES,
    HelpArticle,
    HelpArticleTranslation,
    HelpCategory,
    Topic,
)

TITLE_MAX = 200
BODY_MAX = 20_000


class HelpError(ValueError):
    """Nothing was saved; ``errors`` maps a field (``title_fi``, ``category``) to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Text:
    title: str
    body: str


def _next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def save_category(shop, names: dict[str, str], *, category: HelpCategory | None = None):
    """Create or rename a category; it needs a name in at least one language."""
    names = {code: (names.get(code) or "").strip() for code in LANGUAGES}
    if not any(names.values()):
        raise HelpError({"name_fi": _("Give the category a name in at least one language.")})
    too_long = [code for code, name in names.items() if len(name) > 120]
    if too_long:
        raise HelpError({f"name_{too_long[0]}": _("Keep the name under 120 characters.")})
    if category is None:
        category = HelpCategory(
            shop=shop, position=_next_position(HelpCategory.objects.for_shop(shop))
        )
    elif category.shop_id != shop.pk:
        raise HelpCategory.DoesNotExist
    for code, name in names.items():
        setattr(category, f"name_{code}", name)
    category.save()
    return category


@transaction.atomic
def delete_category(shop, category: HelpCategory) -> None:
    """Delete an empty category; one with articles is refused (move or delete them first)."""
    category = HelpCategory.objects.for_shop(shop).select_for_update().get(pk=category.pk)
    if category.articles.exists():
        raise HelpError(
            {"category": _("The category still has articles: move or delete them first.")}
        )
    category.delete()


def _move(queryset, item, direction: int) -> None:
    items = list(queryset.select_for_update().order_by("position", "id"))
    index = next(i for i, row in enumerate(items) if row.pk == item.pk)
    other = index + direction
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, row in enumerate(items, start=1):
        if row.position != position:
            type(row).objects.filter(pk=row.pk).update(position=position)


@transaction.atomic
def move_category(shop, category: HelpCategory, direction: int) -> None:
    """Move a category one place up (-1) or down (+1)."""
    _move(HelpCategory.objects.for_shop(shop), category, direction)


@transaction.atomic
def move_article(shop, article: HelpArticle, direction: int) -> None:
    """Move an article one place up (-1) or down (+1) within its category."""
    _move(
        HelpArticle.objects.for_shop(shop).filter(category_id=article.category_id),
        article,
        direction,
    )


def _check_texts(texts: dict[str, Text]) -> dict[str, Text]:
    errors: dict[str, str] = {}
    clean: dict[str, Text] = {}
    for code in LANGUAGES:
        text = texts.get(code)
        title = (text.title if text else "").strip()
        body = (text.body if text else "").strip().replace("\r\n", "\n")
        if not title and not body:
            continue
        if not title:
            errors[f"title_{code}"] = _("Give this language a title, or leave its text empty.")
        elif len(title) > TITLE_MAX:
            errors[f"title_{code}"] = _("Keep the title under 200 characters.")
        if not body:
            errors[f"body_{code}"] = _("Write the text, or leave this language's title empty.")
        elif len(body) > BODY_MAX:
            errors[f"body_{code}"] = _("Keep the text under 20,000 characters; split it in two.")
        clean[code] = Text(title, body)
    if not clean and not errors:
        errors["title_fi"] = _("Write the article in at least one language.")
    if errors:
        raise HelpError(errors)
    return clean


@transaction.atomic
def save_article(
    shop,
    *,
    category: HelpCategory,
    topic: str,
    published: bool,
    texts: dict[str, Text],
    article: HelpArticle | None = None,
) -> HelpArticle:
    """Create or update an article with its translations (a language left empty is removed).

    A translation whose text changes here is the merchant's own from then on: the starter
    articles never overwrite it again."""
    if category.shop_id != shop.pk:
        raise HelpError({"category": _("Choose one of this shop's categories.")})
    if topic not in Topic.values:
        raise HelpError({"topic": _("Choose one of the listed topics.")})
    clean = _check_texts(texts)
    if article is None:
        article = HelpArticle(
            shop=shop,
            position=_next_position(HelpArticle.objects.for_shop(shop).filter(category=category)),
        )
    elif article.shop_id != shop.pk:
        raise HelpArticle.DoesNotExist
    elif article.category_id != category.pk:
        article.position = _next_position(
            HelpArticle.objects.for_shop(shop).filter(category=category)
        )
    article.category = category
    article.topic = topic
    article.published = published
    article.save()
    existing = {row.language: row for row in article.translations.all()}
    for code, text in clean.items():
        row = existing.get(code)
        if row is None:
            HelpArticleTranslation.objects.create(
                article=article, shop=shop, language=code, title=text.title, body=text.body
            )
        elif (row.title, row.body) != (text.title, text.body):
            row.title, row.body, row.generated = text.title, text.body, False
            row.save(update_fields=["title", "body", "generated", "updated_at"])
    article.translations.exclude(language__in=list(clean)).delete()
    return article


@transaction.atomic
def delete_article(shop, article: HelpArticle) -> None:
    HelpArticle.objects.for_shop(shop).filter(pk=article.pk).delete()


@transaction.atomic
def record_feedback(shop, article: HelpArticle, *, helpful: bool) -> None:
    """Count one "did this help?" answer; only the totals are kept."""
    field = "helpful_yes" if helpful else "helpful_no"
    HelpArticle.objects.for_shop(shop).filter(pk=article.pk).update(**{field: F(field) + 1})
