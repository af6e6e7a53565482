"""Customer value: segments, lifetime value, cohorts, gross versus net revenue, the funnel."""

from __future__ import annotations

import numpy as np
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersale.analytics import charts
from aftersale.backoffice.access import shop_required
from aftersale.backoffice.pagination import page_of
from aftersale.insights.models import RfmSegment, ValueSegment
from aftersale.insights.selectors import latest_insight, segment_values
from aftersale.insights.tasks import compute_shop_insights

SEGMENT_LABELS = {**dict(RfmSegment.choices), **dict(ValueSegment.choices)}


def funnel_labels() -> dict[str, str]:
    return {
        "ordered": _("Ordered"),
        "arrived": _("Arrived"),
        "received": _("Delivered or picked up"),
        "kept": _("Kept"),
        "ordered_again": _("Ordered again"),
    }


def _svg(markup: str) -> str:
    # The SVG is built by aftersale.analytics.charts, which escapes every label it prints.
    return mark_safe(markup)  # noqa: S308


def build_charts(data: dict, currency: str) -> dict[str, str]:
    rfm = data.get("segments", {})
    values = data.get("value_segments", {})
    cohorts = data.get("cohorts", {})
    revenue = data.get("revenue", {})
    funnel = data.get("funnel", {}).get("counts", {})
    rfm_order = [s for s in RfmSegment.values if s in rfm]
    value_order = [s for s in ValueSegment.values if s in values]
    result = {
        "segments": charts.bar_chart(
            [str(SEGMENT_LABELS[s]) for s in rfm_order],
            [rfm[s] for s in rfm_order],
            title=_("Customers by segment"),
        ),
        "value_segments": charts.bar_chart(
            [str(SEGMENT_LABELS[s]) for s in value_order],
            [values[s] for s in value_order],
            title=_("Profitable customers and serial returners"),
        ),
        "clv": charts.histogram(
            data.get("clv", []),
            title=_("Predicted value per customer, next 12 months (%(currency)s)")
            % {"currency": currency},
            x_label=currency,
        ),
        "funnel": charts.bar_chart(
            [label for key, label in funnel_labels().items() if key in funnel],
            [funnel[key] for key in funnel_labels() if key in funnel],
            title=_("Journey of the orders of the last 12 months"),
        ),
    }
    if revenue.get("months"):
        result["revenue"] = charts.paired_bars(
            revenue["months"],
            revenue["gross"],
            revenue["net"],
            title=_("Revenue by month before and after returns (%(currency)s, excl. VAT)")
            % {"currency": currency},
            names=(_("Gross"), _("Net")),
        )
    if cohorts.get("labels"):
        retention = np.asarray(cohorts["retention"], dtype=float)
        retention[retention < 0] = np.nan
        result["cohorts"] = charts.heat_map(
            [
                f"{label} ({size})"
                for label, size in zip(cohorts["labels"], cohorts["sizes"], strict=True)
            ],
            [str(i) for i in range(retention.shape[1])],
            retention,
            title=_("Share of each month's new customers who bought again, by months since"),
        )
    return {key: _svg(markup) for key, markup in result.items()}


@shop_required
def insights(request):
    shop = request.shop
    insight = latest_insight(shop)
    context = {"insight": insight, "latest_run": shop.insights.order_by("-started_at").first()}
    if insight is not None:
        context["charts"] = build_charts(insight.charts, shop.currency)
        context["totals"] = {
            key: int(round(value * 100)) for key, value in insight.charts.get("totals", {}).items()
        }
        context["segments"] = [
            (value, label, insight.charts.get("segments", {}).get(value, 0))
            for value, label in RfmSegment.choices
        ] + [
            (value, label, insight.charts.get("value_segments", {}).get(value, 0))
            for value, label in ValueSegment.choices
        ]
    return render(request, "backoffice/insights/overview.html", context)


@require_POST
@shop_required
def refresh_insights(request):
    compute_shop_insights.enqueue(request.shop.pk)
    messages.success(
        request, _("The computation is queued. The worker updates these pages within minutes.")
    )
    return redirect("backoffice:insights")


@shop_required
def segment_customers(request, segment: str):
    if segment not in SEGMENT_LABELS:
        raise Http404
    values = segment_values(request.shop, segment)
    return render(
        request,
        "backoffice/insights/segment.html",
        {"segment": segment, "label": SEGMENT_LABELS[segment], "page": page_of(request, values)},
    )
