"""Satisfaction survey results: the score distribution, CSAT % or NPS with the number of
answers, each survey flow's response rate, and the same per carrier, pickup point, category
and product for a period; the comments; the survey settings (owners)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from aftersale.analytics import charts
from aftersale.backoffice.access import shop_required
from aftersale.backoffice.pagination import page_of
from aftersale.flows.builtin import SURVEY_DELAY, SURVEY_DELIVERED
from aftersale.flows.models import Flow, Step
from aftersale.surveys import selectors
from aftersale.surveys.models import Scale
from aftersale.surveys.services import MAX_DELAY_DAYS, save_survey_settings

PERIODS = (30, 90, 365)


def _period(request) -> tuple[int, object, object]:
    days = request.GET.get("days", "90")
    days = int(days) if days in {str(d) for d in PERIODS} else 90
    until = timezone.now()
    return days, until - timedelta(days=days), until


def breakdown_tabs():
    return {
        "carrier": _("Carrier"),
        "point": _("Pickup point"),
        "category": _("Category"),
        "product": _("Product"),
    }


@require_GET
@shop_required
def survey_results(request):
    shop = request.shop
    days, since, until = _period(request)
    scale = selectors.scale_of(shop)
    answers = selectors.answers(shop, scale=scale, since=since, until=until)
    tabs = breakdown_tabs()
    by = request.GET.get("by") if request.GET.get("by") in tabs else "carrier"
    page = page_of(request, selectors.breakdown(answers, scale, by))
    distribution = selectors.distribution(answers, scale)
    chart = charts.bar_chart(
        [str(score) for score, _count in distribution],
        [count for _score, count in distribution],
        title=_("Answers by score"),
    )
    return render(
        request,
        "backoffice/surveys/results.html",
        {
            "days": days,
            "scale": scale,
            "nps": scale == Scale.NPS,
            "overall": selectors.overall(answers, scale),
            # The SVG is built by aftersale.analytics.charts, which escapes every label.
            "chart": mark_safe(chart),  # noqa: S308
            "distribution": distribution,
            "responses": selectors.response_rates(shop, since=since, until=until),
            "tabs": tabs,
            "by": by,
            "by_label": tabs[by],
            "page": page,
            "groups": selectors.groups(page.object_list, scale, by),
            "enabled": Flow.objects.for_shop(shop)
            .filter(key__startswith="satisfaction_survey", enabled=True)
            .exists(),
        },
    )


@require_GET
@shop_required
def survey_comments(request):
    shop = request.shop
    days, since, until = _period(request)
    scale = selectors.scale_of(shop)
    page = page_of(request, selectors.comments(shop, scale=scale, since=since, until=until))
    return render(
        request,
        "backoffice/surveys/comments.html",
        {"days": days, "scale": scale, "page": page},
    )


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(
        label=gettext_lazy("Send the satisfaction survey"),
        required=False,
        help_text=gettext_lazy(
            "A marketing e-mail: only to customers who accept marketing, with an unsubscribe link."
        ),
    )
    delay_days = forms.IntegerField(
        label=gettext_lazy("Days after delivery or pickup"), min_value=0, max_value=MAX_DELAY_DAYS
    )
    scale = forms.ChoiceField(label=gettext_lazy("Question"), choices=Scale.choices)
    low_score_tickets = forms.BooleanField(
        label=gettext_lazy("Open a customer service ticket for a low score"), required=False
    )
    low_score = forms.IntegerField(
        label=gettext_lazy("Low score: this or lower"),
        required=False,
        min_value=0,
        max_value=10,
        help_text=gettext_lazy("Empty: 2 on the 1–5 scale, 6 on the 0–10 scale."),
    )


def _current_delay(shop) -> int:
    wait = (
        Step.objects.filter(shop=shop, flow__key=SURVEY_DELIVERED, type=Step.Type.WAIT)
        .values_list("wait", flat=True)
        .first()
    )
    return (wait or SURVEY_DELAY).days


@require_http_methods(["GET", "POST"])
@shop_required(owner_only=True)
def survey_settings(request):
    shop = request.shop
    current = selectors.settings_for(shop)
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                save_survey_settings(shop, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The survey settings are saved."))
                return redirect("backoffice:survey_settings")
    else:
        form = SettingsForm(
            initial={
                "enabled": Flow.objects.for_shop(shop)
                .filter(key__startswith="satisfaction_survey", enabled=True)
                .exists(),
                "delay_days": _current_delay(shop),
                "scale": current.scale,
                "low_score_tickets": current.low_score_tickets,
                "low_score": current.low_score,
            }
        )
    return render(
        request,
        "backoffice/surveys/settings.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
