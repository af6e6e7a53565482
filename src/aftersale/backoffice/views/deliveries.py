"""Parcels that need the merchant: waiting for pickup, failed, returned unclaimed; the unclaimed
report and the customers who keep leaving parcels at the pickup point."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.db.models import Count, F, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersale.analytics import charts
from aftersale.backoffice.access import shop_required
from aftersale.backoffice.pagination import page_of
from aftersale.delivery.models import Shipment, ShipmentStatus
from aftersale.delivery.selectors import (
    UnclaimedDaysNotReady,
    flagged_customers,
    unclaimed_costs_for,
)
from aftersale.delivery.selectors import unclaimed_report as unclaimed_report_of
from aftersale.delivery.services import REPORT_PERIOD_DAYS, set_delivery_costs
from aftersale.delivery.tasks import queue_report_days

REPORT_MONTHS = 12
TOP_ROWS = 15
# Parcels in days never stored that the unclaimed report may count while the user waits
# (about a second on a busy machine); more are counted by the worker, a month at a time.
PARCELS_COUNTED_IN_VIEW = 20_000


def parcel_lists():
    return {
        "waiting": (_("Waiting for pickup"), ShipmentStatus.READY_FOR_PICKUP),
        "failed": (_("Delivery failed"), ShipmentStatus.DELIVERY_FAILED),
        "returned": (_("Returned to sender"), ShipmentStatus.RETURNED_TO_SENDER),
    }


@shop_required
def deliveries(request):
    lists = parcel_lists()
    show = request.GET.get("show") if request.GET.get("show") in lists else "waiting"
    title, status = lists[show]
    shipments = (
        Shipment.objects.for_shop(request.shop)
        .filter(status=status)
        .select_related("order__customer", "pickup_point")
    )
    if show == "waiting":
        shipments = shipments.order_by(F("held_until").asc(nulls_last=True), "id")
    else:
        shipments = shipments.order_by("-updated_at", "-id")
    # Every tab's count in one pass over the (shop, status, …) index, reading the index only:
    # counting a column of the index, as COUNT(id) would read every counted parcel's row for
    # its id (0.4 s for the 16,000 parcels of the scale demo's tabs, 2 ms without).
    counts = (
        Shipment.objects.for_shop(request.shop)
        .filter(status__in=[value for _label, value in lists.values()])
        .aggregate(
            **{
                key: Count("status", filter=Q(status=value))
                for key, (_label, value) in lists.items()
            }
        )
    )
    page = page_of(request, shipments)
    now = timezone.now()
    rows = [
        {
            "shipment": shipment,
            "days_left": (shipment.held_until - now).days if shipment.held_until else None,
        }
        for shipment in page.object_list
    ]
    return render(
        request,
        "backoffice/deliveries/list.html",
        {
            "show": show,
            "title": title,
            "tabs": [(key, label, counts[key]) for key, (label, _status) in lists.items()],
            "page": page,
            "rows": rows,
        },
    )


class CostsForm(forms.Form):
    outbound = forms.DecimalField(
        label=gettext_lazy("Outbound shipping (€)"), min_value=0, max_digits=7, decimal_places=2
    )
    back = forms.DecimalField(
        label=gettext_lazy("Return leg (€)"), min_value=0, max_digits=7, decimal_places=2
    )
    handling = forms.DecimalField(
        label=gettext_lazy("Handling (€)"), min_value=0, max_digits=7, decimal_places=2
    )


@require_POST
@shop_required(owner_only=True)
def save_costs(request):
    form = CostsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        set_delivery_costs(
            request.shop,
            outbound_cents=int(data["outbound"] * 100),
            return_cents=int(data["back"] * 100),
            handling_cents=int(data["handling"] * 100),
        )
        messages.success(request, _("The costs of an unclaimed parcel are saved."))
    else:
        messages.error(request, _("Give each cost as euros, for example 6.90."))
    return redirect("backoffice:unclaimed_report")


@shop_required
def unclaimed_report(request):
    shop = request.shop
    costs = unclaimed_costs_for(shop)
    now = timezone.now()
    since = now - timedelta(days=REPORT_PERIOD_DAYS)
    try:
        report = unclaimed_report_of(
            shop, since=since, costs=costs, top=TOP_ROWS, parcel_limit=PARCELS_COUNTED_IN_VIEW
        )
    except UnclaimedDaysNotReady as not_ready:
        # First view of a large history (an import, a new installation): the worker counts it.
        queue_report_days(shop)
        return render(
            request,
            "backoffice/deliveries/unclaimed_counting.html",
            {"stored_days": not_ready.stored_days, "days": not_ready.days},
        )
    months = report.months
    chart = charts.paired_bars(
        [row.label for row in months],
        [row.shipments for row in months],
        [row.unclaimed for row in months],
        title=_("Parcels and unclaimed parcels by month"),
        names=(_("Parcels"), _("Unclaimed")),
    )
    rate_chart = charts.bar_chart(
        [row.label for row in months],
        [round(100 * row.rate, 1) for row in months],
        title=_("Unclaimed rate by month (%)"),
    )
    return render(
        request,
        "backoffice/deliveries/unclaimed.html",
        {
            "summary": report.summary,
            "costs": costs,
            "costs_form": CostsForm(
                initial={
                    "outbound": costs.outbound_cents / 100,
                    "back": costs.return_cents / 100,
                    "handling": costs.handling_cents / 100,
                }
            ),
            "is_owner": request.membership.role == "owner",
            # The SVG is built by aftersale.analytics.charts, which escapes every label.
            "chart": mark_safe(chart),  # noqa: S308
            "rate_chart": mark_safe(rate_chart),  # noqa: S308
            "by_method": report.by_method,
            "by_carrier": report.by_carrier,
            "by_point": report.by_point,
            "by_customer": report.by_customer,
        },
    )


@shop_required
def flagged(request):
    return render(
        request,
        "backoffice/deliveries/flagged.html",
        {"flagged": flagged_customers(request.shop, timezone.now())},
    )
