"""The merchant's customer-service hours: weekly opening hours, closed days, the countries
whose public holidays close the desk, and the answer-time targets in business hours."""

from __future__ import annotations

from datetime import time, timedelta

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersale.backoffice.access import shop_required, shop_zone
from aftersale.delivery.opening_hours import (
    WEEKDAYS,
    OpeningHoursError,
    format_opening_hours,
    parse_opening_hours,
)
from aftersale.service import csat, services
from aftersale.service.hours import (
    DAY,
    business_calendar,
    opening_status,
    support_targets,
    weekly_intervals,
)
from aftersale.service.models import ShopClosedDay

CLOSED_DAYS_SHOWN = 100
HOLIDAYS_AHEAD_DAYS = 90


class HoursForm(forms.Form):
    hours = forms.CharField(
        label=gettext_lazy("Opening hours"),
        max_length=500,
        help_text=gettext_lazy(
            "For example “mon-fri 09:00-17:00; sat 10:00-14:00; sun closed”, or several "
            "intervals a day: “mon-fri 09:00-12:00, 13:00-17:00”. In the shop's time zone."
        ),
    )

    def clean_hours(self):
        try:
            parsed = parse_opening_hours(self.cleaned_data["hours"])
        except OpeningHoursError as error:
            raise forms.ValidationError(str(error)) from None
        if not parsed:
            raise forms.ValidationError(_("Give the hours, e.g. “mon-fri 09:00-17:00”."))
        return parsed


class ClosedDayForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    name = forms.CharField(label=gettext_lazy("Reason"), max_length=100, required=False)


class TargetsForm(forms.Form):
    first_response_hours = forms.IntegerField(
        label=gettext_lazy("First response within (business hours)"), min_value=1, max_value=2000
    )
    resolution_hours = forms.IntegerField(
        label=gettext_lazy("Resolution within (business hours)"), min_value=1, max_value=5000
    )
    holiday_countries = forms.CharField(
        label=gettext_lazy("Public holidays of"),
        max_length=100,
        help_text=gettext_lazy("Country codes separated by commas, e.g. “FI, SE”."),
    )
    csat_interval_days = forms.IntegerField(
        label=gettext_lazy("Ask about the same ticket again after (days)"),
        help_text=gettext_lazy(
            "A ticket solved again sooner gets no new “How did we do?” e-mail; 0 asks every time."
        ),
        min_value=0,
        max_value=365,
        required=False,
    )


def _week(parsed: dict) -> dict[int, list[tuple[time, time]]]:
    """The JSON form as {weekday: [(opens, closes)]}; a night past midnight goes on next day."""
    week: dict[int, list[tuple[time, time]]] = {day: [] for day in range(7)}
    for index, key in enumerate(WEEKDAYS):
        for start, end in parsed.get(key) or []:
            opens, closes = _time(start), _time(end)
            if end != "24:00" and closes <= opens:
                week[index].append((opens, time(0)))
                if closes != time(0):
                    week[(index + 1) % 7].append((time(0), closes))
            else:
                week[index].append((opens, closes))
    return week


def _time(hhmm: str) -> time:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return time(0) if hours == 24 else time(hours, minutes)


def _hours_text(shop) -> str:
    def hhmm(minutes: int) -> str:
        return "24:00" if minutes >= DAY else f"{minutes // 60:02d}:{minutes % 60:02d}"

    week = weekly_intervals(shop)
    return format_opening_hours(
        {
            key: [[hhmm(start), hhmm(end)] for start, end in week[index]]
            for index, key in enumerate(WEEKDAYS)
        }
    )


def _page(request, *, hours_form=None, closed_form=None, targets_form=None, status=200):
    shop = request.shop
    targets = support_targets(shop)
    now = timezone.now()
    today = now.astimezone(shop_zone(shop)).date()
    calendar = business_calendar(shop, targets=targets)
    holidays = [
        (day, name)
        for day in (today + timedelta(days=n) for n in range(HOLIDAYS_AHEAD_DAYS))
        if (name := calendar.closed_reason(day))
    ]
    return render(
        request,
        "backoffice/help/hours.html",
        {
            "hours_form": hours_form or HoursForm(initial={"hours": _hours_text(shop)}),
            "closed_form": closed_form or ClosedDayForm(),
            "targets_form": targets_form
            or TargetsForm(
                initial={
                    "first_response_hours": targets.first_response_hours,
                    "resolution_hours": targets.resolution_hours,
                    "holiday_countries": ", ".join(targets.countries),
                    "csat_interval_days": csat.interval_days(shop.pk),
                }
            ),
            "closed_days": ShopClosedDay.objects.for_shop(shop)
            .filter(date__gte=today)
            .order_by("date")[:CLOSED_DAYS_SHOWN],
            "holidays": holidays,
            "statuses": [
                (code, opening_status(shop, now, code).text) for code in ("fi", "sv", "en")
            ],
        },
        status=status,
    )


@shop_required(owner_only=True)
def hours(request):
    return _page(request)


@shop_required(owner_only=True)
@require_POST
def save_hours(request):
    form = HoursForm(request.POST)
    if form.is_valid():
        try:
            services.save_opening_hours(request.shop, _week(form.cleaned_data["hours"]))
        except services.HoursError as error:
            form.add_error("hours", str(error))
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect("backoffice:service_hours")
    return _page(request, hours_form=form, status=400)


@shop_required(owner_only=True)
@require_POST
def add_closed_day(request):
    form = ClosedDayForm(request.POST)
    if form.is_valid():
        services.add_closed_day(request.shop, form.cleaned_data["date"], form.cleaned_data["name"])
        messages.success(request, _("Closed day saved."))
        return redirect("backoffice:service_hours")
    return _page(request, closed_form=form, status=400)


@shop_required(owner_only=True)
@require_POST
def remove_closed_day(request, closed_day_id: int):
    if not services.remove_closed_day(request.shop, closed_day_id):
        raise Http404
    messages.success(request, _("Closed day removed."))
    return redirect("backoffice:service_hours")


@shop_required(owner_only=True)
@require_POST
def save_targets(request):
    form = TargetsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.save_support_settings(
                request.shop,
                first_response_hours=data["first_response_hours"],
                resolution_hours=data["resolution_hours"],
                holiday_countries=data["holiday_countries"].replace(";", ",").split(","),
                csat_interval_days=data.get("csat_interval_days"),
            )
        except services.HoursError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Targets saved."))
            return redirect("backoffice:service_hours")
    return _page(request, targets_form=form, status=400)
