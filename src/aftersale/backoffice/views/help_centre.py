"""The merchant's help-centre pages: categories and articles with their fi/sv/en texts, order,
publishing, "did this help?" counts, visitors, and the starter articles."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from aftersale.backoffice.access import shop_required, shop_zone
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.service.help import selectors, services, starter
from aftersale.service.help.models import LANGUAGES, HelpArticle, HelpCategory, Topic
from aftersale.service.help.services import HelpError, Text
from aftersale.service.help.visitors import help_centre_visitors

LANGUAGE_NAMES = {
    "fi": gettext_lazy("Finnish"),
    "sv": gettext_lazy("Swedish"),
    "en": gettext_lazy("English"),
}
VISITOR_DAYS = 30


class CategoryForm(forms.Form):
    name_fi = forms.CharField(label=gettext_lazy("Name in Finnish"), max_length=120, required=False)
    name_sv = forms.CharField(label=gettext_lazy("Name in Swedish"), max_length=120, required=False)
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=120, required=False)


class ArticleForm(forms.Form):
    category = forms.ModelChoiceField(label=gettext_lazy("Category"), queryset=None)
    topic = forms.ChoiceField(
        label=gettext_lazy("Topic"),
        choices=Topic.choices,
        help_text=gettext_lazy(
            "Order, return and tracking pages link the articles of their topic."
        ),
    )
    published = forms.BooleanField(
        label=gettext_lazy("Published"),
        required=False,
        help_text=gettext_lazy("Customers see published articles only."),
    )

    def __init__(self, shop, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = HelpCategory.objects.for_shop(shop)
        language = translation.get_language() or shop.default_language
        self.fields["category"].label_from_instance = lambda category: category.name(language)
        for code in LANGUAGES:
            name = LANGUAGE_NAMES[code]
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                max_length=services.TITLE_MAX,
                required=False,
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                widget=forms.Textarea(attrs={"rows": 10}),
                max_length=services.BODY_MAX,
                required=False,
                help_text=_("Plain text; an empty line starts a new paragraph."),
            )

    def language_fields(self):
        return [
            (LANGUAGE_NAMES[code], self[f"title_{code}"], self[f"body_{code}"])
            for code in LANGUAGES
        ]


def _apply(form: forms.Form, error: HelpError) -> None:
    for field, message in error.errors.items():
        form.add_error(field if field in form.fields else None, message)


@shop_required
def overview(request):
    shop = request.shop
    if starter.refresh_starter_articles(shop):
        messages.info(request, _("Starter articles were updated to match your settings."))
    today = timezone.now().astimezone(shop_zone(shop)).date()
    order = selectors.language_order(shop, translation.get_language() or shop.default_language)
    sections = []
    for category in selectors.categories_with_counts(shop):
        rows = []
        for article in category.articles.all():
            translations = list(article.translations.all())
            text = selectors.pick(translations, order)
            rows.append((article, text.title if text else "", translations))
        sections.append((category, category.name(order[0]), rows))
    return render(
        request,
        "backoffice/help/overview.html",
        {
            "sections": sections,
            "visitors": help_centre_visitors(shop, today - timedelta(days=VISITOR_DAYS - 1), today),
            "visitor_days": VISITOR_DAYS,
            "has_starters": HelpArticle.objects.for_shop(shop).exclude(starter_key="").exists(),
        },
    )


@shop_required
def category_edit(request, category_id: int | None = None):
    shop = request.shop
    category = (
        get_for_shop_or_404(HelpCategory.objects.all(), shop, pk=category_id)
        if category_id
        else None
    )
    initial = (
        {f"name_{code}": getattr(category, f"name_{code}") for code in LANGUAGES}
        if category
        else {}
    )
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            names = {code: form.cleaned_data[f"name_{code}"] for code in LANGUAGES}
            services.save_category(shop, names, category=category)
        except HelpError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Category saved."))
            return redirect("backoffice:help")
    return render(
        request,
        "backoffice/help/category.html",
        {"form": form, "category": category},
        status=400 if request.method == "POST" else 200,
    )


@shop_required
@require_POST
def category_delete(request, category_id: int):
    shop = request.shop
    category = get_for_shop_or_404(HelpCategory.objects.all(), shop, pk=category_id)
    try:
        services.delete_category(shop, category)
    except HelpError as error:
        messages.error(request, error.errors["category"])
    else:
        messages.success(request, _("Category deleted."))
    return redirect("backoffice:help")


def _direction(request) -> int:
    direction = request.POST.get("direction")
    if direction not in {"up", "down"}:
        raise Http404
    return -1 if direction == "up" else 1


@shop_required
@require_POST
def category_move(request, category_id: int):
    shop = request.shop
    category = get_for_shop_or_404(HelpCategory.objects.all(), shop, pk=category_id)
    services.move_category(shop, category, _direction(request))
    return redirect("backoffice:help")


@shop_required
def article_edit(request, article_id: int | None = None):
    shop = request.shop
    article = (
        get_for_shop_or_404(HelpArticle.objects.all(), shop, pk=article_id) if article_id else None
    )
    initial: dict = {"published": False, "topic": Topic.OTHER}
    if article:
        initial = {
            "category": article.category,
            "topic": article.topic,
            "published": article.published,
        }
        for row in article.translations.all():
            initial[f"title_{row.language}"] = row.title
            initial[f"body_{row.language}"] = row.body
    elif request.GET.get("category"):
        initial["category"] = (
            HelpCategory.objects.for_shop(shop)
            .filter(pk=request.GET["category"] if request.GET["category"].isdigit() else 0)
            .first()
        )
    form = ArticleForm(shop, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        texts = {code: Text(data[f"title_{code}"], data[f"body_{code}"]) for code in LANGUAGES}
        try:
            services.save_article(
                shop,
                category=data["category"],
                topic=data["topic"],
                published=data["published"],
                texts=texts,
                article=article,
            )
        except HelpError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Article saved."))
            return redirect("backoffice:help")
    generated = (
        sorted(article.translations.filter(generated=True).values_list("language", flat=True))
        if article
        else []
    )
    return render(
        request,
        "backoffice/help/article.html",
        {"form": form, "article": article, "generated": generated},
        status=400 if request.method == "POST" else 200,
    )


@shop_required
def article_delete(request, article_id: int):
    """Ask, then delete the article in every language."""
    shop = request.shop
    article = get_for_shop_or_404(HelpArticle.objects.all(), shop, pk=article_id)
    if request.method == "POST":
        services.delete_article(shop, article)
        messages.success(request, _("Article deleted."))
        return redirect("backoffice:help")
    titles = list(article.translations.values_list("language", "title"))
    return render(
        request, "backoffice/help/article_delete.html", {"article": article, "titles": titles}
    )


@shop_required
@require_POST
def article_move(request, article_id: int):
    shop = request.shop
    article = get_for_shop_or_404(HelpArticle.objects.all(), shop, pk=article_id)
    services.move_article(shop, article, _direction(request))
    return redirect("backoffice:help")


@shop_required
@require_POST
def add_starter_articles(request):
    created = starter.create_starter_articles(request.shop)
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)d starter article added.", "%(count)d starter articles added.", created
            )
            % {"count": created},
        )
    else:
        messages.info(request, _("The shop has every starter article already."))
    return redirect("backoffice:help")
