"""The shop's help centre in the portal: articles by category, search, "did this help?"."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from aftersale.core import limits
from aftersale.portal.lookup import shop_for
from aftersale.service.help import selectors, services, starter
from aftersale.service.help.models import HelpArticle, Topic
from aftersale.service.help.search import search_articles
from aftersale.service.help.visitors import record_visit

QUERY_MAX = 200
# "Did this help?": one answer per article and address a day, and a ceiling per address.
FEEDBACK_WINDOW = 24 * 3600
FEEDBACK_PER_ADDRESS = 30
BOTS = ("bot", "spider", "crawl", "slurp", "preview")

# Where a customer acts on what an article explains.
ACTIONS = {
    Topic.WITHDRAWAL: ("portal:withdraw", gettext_lazy("Withdraw from a purchase")),
    Topic.RETURNS: ("portal:lookup", gettext_lazy("Find your order to start a return")),
    Topic.EXCHANGES: ("portal:lookup", gettext_lazy("Find your order to start an exchange")),
    Topic.COMPLAINTS: ("portal:lookup", gettext_lazy("Find your order to report a problem")),
    Topic.DELIVERY: ("portal:lookup", gettext_lazy("Find your order and its parcels")),
    Topic.PICKUP: ("portal:lookup", gettext_lazy("Find your order and its parcels")),
    Topic.UNCLAIMED: ("portal:lookup", gettext_lazy("Find your order and its parcels")),
}


def _language(shop) -> str:
    return translation.get_language() or shop.default_language


def _count_visitor(request, shop) -> None:
    agent = request.META.get("HTTP_USER_AGENT", "").lower()
    if not any(word in agent for word in BOTS):
        record_visit(shop, request)


@require_GET
def index(request, shop_slug):
    shop = shop_for(shop_slug)
    _count_visitor(request, shop)
    language = _language(shop)
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    context = {"shop": shop, "query": query, "status_in_page": True}
    if query:
        context["hits"] = search_articles(shop, language, query, limit=20)
    else:
        context["groups"] = selectors.published_by_category(shop, language)
    return render(request, "portal/help/index.html", context)


def _article_or_404(shop, article_id: int, language: str):
    view = selectors.published_article(shop, article_id, language)
    if view is None:
        raise Http404
    return view


@require_GET
def article(request, shop_slug, article_id):
    shop = shop_for(shop_slug)
    language = _language(shop)
    view = _article_or_404(shop, article_id, language)
    if view.text.generated and starter.refresh_starter_articles(shop, article=view.article):
        view = _article_or_404(shop, article_id, language)
    _count_visitor(request, shop)
    action = ACTIONS.get(view.article.topic)
    return render(
        request,
        "portal/help/article.html",
        {
            "shop": shop,
            "item": view,
            "action": (action[0], str(action[1])) if action else None,
            "thanks": request.GET.get("thanks") == "1",
        },
    )


@require_POST
def feedback(request, shop_slug, article_id):
    shop = shop_for(shop_slug)
    view = _article_or_404(shop, article_id, _language(shop))
    answer = request.POST.get("helpful")
    if answer not in {"yes", "no"}:
        return _feedback_answer(request, shop, view.article, _("Choose yes or no."), status=400)
    address = limits.client_address(request)
    if limits.count(f"help-feedback:{address}", FEEDBACK_WINDOW) > FEEDBACK_PER_ADDRESS:
        return _feedback_answer(
            request, shop, view.article, _("Too many answers from here; try again tomorrow."), 429
        )
    if limits.count(f"help-feedback:{address}:{view.article.pk}", FEEDBACK_WINDOW) == 1:
        services.record_feedback(shop, view.article, helpful=answer == "yes")
    return _feedback_answer(request, shop, view.article, _("Thank you for your answer."))


def _feedback_answer(request, shop, article: HelpArticle, message: str, status: int = 200):
    if request.headers.get("HX-Request"):
        return render(
            request,
            "portal/help/feedback_done.html",
            {"message": message, "error": status != 200},
            status=status,
        )
    if status != 200:
        return render(
            request,
            "portal/help/feedback_refused.html",
            {"message": message, "shop": shop, "article": article},
            status=status,
        )
    url = redirect("portal:help_article", shop_slug=shop.slug, article_id=article.pk).url
    return redirect(f"{url}?thanks=1")
