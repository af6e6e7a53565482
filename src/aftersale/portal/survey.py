"""The satisfaction survey page, opened from a score link in the survey e-mail
(``/s/<shop>/survey/<signed token>/?score=4``).

Mail scanners and link previews follow every link in an e-mail, so a GET records nothing: it
shows the question with the clicked score chosen, an optional comment and one button. The POST
records the answer; answering again changes it. The signed token is the only credential (no
password, no session): a forged token, or one of another shop, is a 404. Works without
JavaScript.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from aftersale.flows.models import FlowRun
from aftersale.portal.lookup import shop_for
from aftersale.surveys.links import read_token
from aftersale.surveys.models import SCORES, About, Scale, SurveyAnswer
from aftersale.surveys.services import MAX_COMMENT, record_answer

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a score."),
            "invalid_choice": _("Choose one of the scores shown."),
        },
    )
    about = forms.ChoiceField(
        label=_("What is your answer mostly about? (optional)"),
        choices=About.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, scale: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].choices = [(score, str(score)) for score in SCORES[scale]]
        self.fields["score"].label = (
            _("How likely are you to recommend us to a friend?")
            if scale == Scale.NPS
            else _("How satisfied are you with your order?")
        )


def _language(request, link_language: str, customer_language: str) -> str:
    """The language the visitor chose with the language switch, else the e-mail's."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    for language in (chosen, link_language, customer_language):
        if language in LANGUAGE_CODES:
            return language
    return settings.LANGUAGE_CODE


@require_http_methods(["GET", "POST"])
def survey(request, shop_slug: str, token: str):
    shop = shop_for(shop_slug)
    link = read_token(shop.pk, token)
    if link is None:
        raise Http404
    run = (
        FlowRun.objects.for_shop(shop)
        .select_related("customer", "order")
        .filter(pk=link.run_id)
        .first()
    )
    if run is None:
        raise Http404
    language = _language(request, link.language, run.customer.language)
    answer = SurveyAnswer.objects.for_shop(shop).filter(run=run).first()
    scores = SCORES[link.scale]
    with translation.override(language):
        status = 200
        if request.method == "POST":
            form = SurveyForm(link.scale, request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    record_answer(
                        shop,
                        run,
                        scale=link.scale,
                        score=data["score"],
                        comment=data["comment"],
                        about=data["about"],
                        language=language,
                    )
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, messages)
                else:
                    return redirect(f"{request.path}?thanks=1")
            status = 400
        else:
            initial = {}
            if answer is not None:
                initial = {"score": answer.score, "comment": answer.comment, "about": answer.about}
            clicked = request.GET.get("score", "")
            if clicked.isdigit() and int(clicked) in scores:
                initial["score"] = int(clicked)
            form = SurveyForm(link.scale, initial=initial)
        response = render(
            request,
            "portal/survey.html",
            {
                "shop": shop,
                "form": form,
                "order": run.order,
                "answer": answer,
                "thanks": request.method == "GET" and "thanks" in request.GET and answer,
                "scale": link.scale,
                "low": scores[0],
                "high": scores[-1],
                "chosen": str(form["score"].value() or ""),
            },
            status=status,
        )
    response["Content-Language"] = language
    # The address carries the credential; the site-wide ``same-origin`` referrer policy keeps
    # it from other sites (``no-referrer`` would make the form's POST fail the CSRF origin
    # check: the browser then sends ``Origin: null``).
    return response
