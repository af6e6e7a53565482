"""Service figures: tickets solved, first-response and resolution times in business hours,
the share answered within target and satisfaction, per agent and per topic, for a period."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from aftersale.backoffice.access import shop_required
from aftersale.backoffice.views.tickets import VIEWS
from aftersale.service.figures import Row, desk_figures

DEFAULT_DAYS = 30
MAX_DAYS = 366


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date cannot be before the start date."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error(
                    "end", _("Choose a period of at most %(days)s days.") % {"days": MAX_DAYS}
                )
        return data


def _moment(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def hours_text(value: timedelta | None) -> str:
    """Business time as staff reads it: "3 h 05 min", "–" when there is none."""
    if value is None:
        return "–"
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


def _line(row: Row, label: str) -> dict:
    return {
        "label": label,
        "solved": row.solved,
        "first_median": hours_text(row.first_response_median),
        "first_p90": hours_text(row.first_response_p90),
        "resolution_median": hours_text(row.resolution_median),
        "resolution_p90": hours_text(row.resolution_p90),
        "within_target": row.within_target_share,
        "csat_average": row.csat_average,
        "csat_satisfied": row.csat_satisfied_share,
        "csat_answers": row.csat_answers,
    }


@require_GET
@shop_required
def figures(request):
    shop = request.shop
    zone = ZoneInfo(shop.time_zone or "Europe/Helsinki")
    today = timezone.localtime(timezone.now(), zone).date()
    initial = {"start": today - timedelta(days=DEFAULT_DAYS - 1), "end": today}
    form = PeriodForm(request.GET or None, initial=initial)
    status = 200
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        if request.GET:
            status = 400
        start, end = initial["start"], initial["end"]
    result = desk_figures(shop, _moment(start, zone), _moment(end + timedelta(days=1), zone))
    return render(
        request,
        "backoffice/tickets/figures.html",
        {
            "form": form,
            "figures": result,
            "start": start,
            "end": end,
            "views": VIEWS,
            "view": "figures",
            "sections": [
                (
                    "agents",
                    _("Per agent"),
                    _("Agent"),
                    [_line(row, row.label or _("Nobody")) for row in result.agents],
                ),
                (
                    "topics",
                    _("Per topic"),
                    _("Topic"),
                    [_line(row, row.label) for row in result.topics],
                ),
            ],
            "total": _line(result.total, _("All tickets")),
            "target_text": hours_text(result.first_response_target),
        },
        status=status,
    )
