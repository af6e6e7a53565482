"""The customer's answer to "how did we do?" at ``/s/<shop>/csat/<token>/``.

The e-mail's five one-click links open this page with their score chosen. A GET only shows it
(mail scanners and link previews follow every link in a message): the answer is recorded when
the customer presses the button, a POST. The signed token is the only credential; a forged one,
one of another shop or one older than the links' lifetime is a 404. The page is in the ticket's
language unless the customer picked another with the language switch.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from aftersale.portal.lookup import shop_for
from aftersale.service import csat


def _language(request, survey: csat.Survey) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    available = {code for code, _name in settings.LANGUAGES}
    for language in (chosen, survey.ticket.language, survey.ticket.shop.default_language):
        if language in available:
            return language
    return settings.LANGUAGE_CODE


def _score(value) -> int | None:
    try:
        score = int(value)
    except (TypeError, ValueError):
        return None
    return score if score in csat.SCORES else None


@require_http_methods(["GET", "POST"])
def answer(request, shop_slug: str, token: str):
    shop = shop_for(shop_slug)
    survey = csat.survey_for_token(shop, token)
    if survey is None:
        raise Http404
    language = _language(request, survey)
    errors: dict[str, list[str]] = {}
    saved = None
    with translation.override(language):
        if request.method == "POST":
            score = _score(request.POST.get("score"))
            comment = request.POST.get("comment", "")
            try:
                saved = csat.record_answer(shop, survey, score=score, comment=comment)
            except ValidationError as error:
                errors = error.message_dict
        else:
            previous = survey.answer
            score = _score(request.GET.get("score")) or (previous.score if previous else None)
            comment = previous.comment if previous else ""
        context = {
            "shop": shop,
            "ticket": survey.ticket,
            "scores": [(value, csat.SCORE_LABELS[value]) for value in csat.SCORES],
            "score": score,
            "comment": comment,
            "errors": errors,
            "answered_before": survey.answer is not None,
            "saved": saved,
        }
        template = "portal/csat/thanks.html" if saved else "portal/csat/answer.html"
        response = render(request, template, context, status=400 if errors else 200)
    response["Content-Language"] = language
    response["X-Robots-Tag"] = "noindex"
    return response
