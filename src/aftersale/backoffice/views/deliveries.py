"""Parcels that need the merchant: waiting for pickup, failed, returned unclaimed; the unclaimed
report and the customers who keep leaving parcels at the pickup point."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from aftersale.analytics import charts
from aftersale.backoffice.access import shop_required
from aftersale.backoffice.pagination import page_of
from aftersale.delivery.models import Shipment, ShipmentStatus
from aftersale.delivery.selectors import flagged_customers, unclaimed_by, unclaimed_summary

REPORT_MONTHS = 12
TOP_ROWS = 15


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
    counts = {
        key: Shipment.objects.for_shop(request.shop).filter(status=value).count()
        for key, (_label, value) in lists.items()
    }
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


@shop_required
def unclaimed_report(request):
    shop = request.shop
    now = timezone.now()
    since = now - timedelta(days=365)
    months = unclaimed_by(shop, "month", since=since)
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
            "summary": unclaimed_summary(shop, since=since),
            # The SVG is built by aftersale.analytics.charts, which escapes every label.
            "chart": mark_safe(chart),  # noqa: S308
            "rate_chart": mark_safe(rate_chart),  # noqa: S308
            "by_method": unclaimed_by(shop, "delivery_method", since=since),
            "by_carrier": unclaimed_by(shop, "carrier", since=since),
            "by_point": unclaimed_by(shop, "pickup_point", since=since)[:TOP_ROWS],
            "by_customer": [
                row for row in unclaimed_by(shop, "customer", since=since) if row.unclaimed
            ][:TOP_ROWS],
        },
    )


@shop_required
def flagged(request):
    return render(
        request,
        "backoffice/deliveries/flagged.html",
        {"flagged": flagged_customers(request.shop, timezone.now())},
    )
