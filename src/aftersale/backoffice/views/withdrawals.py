"""The merchant's "Withdrawals & deadlines" page: open withdrawals and returns with their legal
refund deadline and days left, unsent acknowledgements, refunds paid on time or late, parcels
returned unclaimed with their cases, and the shop's withdrawal settings."""

from __future__ import annotations

import heapq
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from aftersale.backoffice.access import shop_required
from aftersale.backoffice.pagination import page_of
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.delivery.models import Shipment, ShipmentStatus
from aftersale.insights.daily import midnight
from aftersale.orders.models import Refund
from aftersale.returns import deadlines, unclaimed, withdrawals
from aftersale.returns.models import (
    ReturnRequest,
    ReturnState,
    UnclaimedCase,
    Withdrawal,
    WithdrawalSettings,
)

# Return states in which the goods are not back yet and no carrier has them: the shop may
# still hold the refund.
GOODS_NOT_BACK = (ReturnState.REQUESTED, ReturnState.APPROVED)
OPEN_RETURN_STATES = (
    ReturnState.REQUESTED,
    ReturnState.APPROVED,
    ReturnState.IN_TRANSIT,
    ReturnState.RECEIVED,
    ReturnState.INSPECTED,
)
KINDS = ("withdrawal", "return")
# The page's shorter lists (unsent acknowledgements, returned parcels, unclaimed cases) show
# this many rows, the oldest unsent and the newest parcels and cases first.
LIST_ROWS = 50
FEE_RULE = gettext_lazy(
    "The fee for an unclaimed parcel may only cover the shop's actual shipping and handling "
    "costs, and must match them on average; it is deducted from the refund, never beyond it."
)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = WithdrawalSettings
        fields = ["informed_of_withdrawal_right", "unclaimed_fee_cents"]


class OpenCases:
    """Every open withdrawal and withdrawal return as (refund due, kind, id), soonest first,
    for the paginator: a page reads its rows from two narrow indexed queries and merges them,
    the count and the warnings are counted in the database, so that a shop with thousands of
    open cases never loads them all."""

    def __init__(self, shop):
        self.shop = shop
        self.withdrawals = Withdrawal.objects.for_shop(shop).filter(refund=None)
        self.returns = ReturnRequest.objects.for_shop(shop).filter(
            kind=ReturnRequest.Kind.WITHDRAWAL, state__in=OPEN_RETURN_STATES
        )

    def count(self) -> int:
        return self.withdrawals.count() + self.returns.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[tuple]:
        stop = index.stop
        withdrawals = [
            (due, "withdrawal", pk)
            for due, pk in self.withdrawals.order_by("refund_due_at", "pk").values_list(
                "refund_due_at", "pk"
            )[:stop]
        ]
        # A return's refund is due a fixed time after it was requested: the same order.
        returns = [
            (deadlines.refund_due(requested_at), "return", pk)
            for requested_at, pk in self.returns.order_by("requested_at", "pk").values_list(
                "requested_at", "pk"
            )[:stop]
        ]
        return list(heapq.merge(withdrawals, returns))[index]

    def warnings(self, now: datetime) -> int:
        """Cases overdue or due within ``deadlines.WARN_DAYS`` days (in the shop's time zone):
        the ones due before the start of the first day with a countdown that is fine."""
        zone = ZoneInfo(self.shop.time_zone)
        today = now.astimezone(zone).date()
        # In UTC: arithmetic on a time in the shop's zone would keep its wall-clock time
        # across a change to or from summer time.
        fine_from = midnight(today + timedelta(days=deadlines.WARN_DAYS + 1), zone).astimezone(UTC)
        requested_before = fine_from - timedelta(days=deadlines.REFUND_DAYS)
        return (
            self.withdrawals.filter(refund_due_at__lt=fine_from).count()
            + self.returns.filter(requested_at__lt=requested_before).count()
        )


def _case_rows(shop, cases: list[tuple]) -> list[dict]:
    """The table rows of one page of ``_open_cases``, in its order."""
    ids = {kind: [pk for _due, case_kind, pk in cases if case_kind == kind] for kind in KINDS}
    objects = {
        ("withdrawal", withdrawal.pk): withdrawal
        for withdrawal in Withdrawal.objects.for_shop(shop)
        .filter(pk__in=ids["withdrawal"])
        .select_related("order", "customer")
        .prefetch_related("lines__order_line")
    }
    objects.update(
        {
            ("return", return_request.pk): return_request
            for return_request in ReturnRequest.objects.for_shop(shop)
            .filter(pk__in=ids["return"])
            .select_related("order", "customer")
            .prefetch_related("lines__order_line")
        }
    )
    rows = []
    for due, kind, pk in cases:
        case = objects[kind, pk]
        if kind == "withdrawal":
            holding = case.goods_back_at is None
        else:
            holding = case.state in GOODS_NOT_BACK
        rows.append(
            {
                "kind": kind,
                "object": case,
                "code": case.code,
                "order": case.order,
                "customer": case.customer,
                "countdown": deadlines.countdown(due, shop),
                "holding": holding,
                "items": [line.order_line.name for line in case.lines.all()],
            }
        )
    return rows


def _refund_rows(shop):
    """Recent refunds of withdrawals and returns with whether they were paid on time."""
    rows = []
    for withdrawal in (
        Withdrawal.objects.for_shop(shop)
        .exclude(refund=None)
        .select_related("refund", "order")
        .order_by("-refund__refunded_at")[:20]
    ):
        rows.append(
            {
                "code": withdrawal.code,
                "order": withdrawal.order,
                "refund": withdrawal.refund,
                "due_at": withdrawal.refund_due_at,
                "on_time": withdrawal.refunded_on_time,
            }
        )
    for refund in (
        Refund.objects.for_shop(shop)
        .filter(return_request__kind=ReturnRequest.Kind.WITHDRAWAL)
        .select_related("return_request", "order")
        .order_by("-refunded_at")[:20]
    ):
        due = refund.return_request.requested_at + timedelta(days=deadlines.REFUND_DAYS)
        rows.append(
            {
                "code": refund.return_request.code,
                "order": refund.order,
                "refund": refund,
                "due_at": due,
                "on_time": deadlines.paid_on_time(due, refund.refunded_at),
            }
        )
    rows.sort(key=lambda row: row["refund"].refunded_at, reverse=True)
    return rows[:20]


@require_GET
@shop_required
def overview(request):
    shop = request.shop
    cases = OpenCases(shop)
    page = page_of(request, cases)
    unsent = Withdrawal.objects.for_shop(shop).filter(acknowledged_at=None)
    # The newest parcels' ids first, then their orders and customers: joined before the cut,
    # every returned parcel of the shop's history would be.
    newest = list(
        Shipment.objects.for_shop(shop)
        .filter(status=ShipmentStatus.RETURNED_TO_SENDER, unclaimed_case=None)
        .order_by("-returned_at", "-id")
        .values_list("pk", flat=True)[:LIST_ROWS]
    )
    found = Shipment.objects.for_shop(shop).filter(pk__in=newest).select_related("order__customer")
    returned = sorted(found, key=lambda shipment: newest.index(shipment.pk))
    previews = unclaimed.refund_previews(shop, [shipment.order for shipment in returned])
    return render(
        request,
        "backoffice/withdrawals/overview.html",
        {
            "page": page,
            "rows": _case_rows(shop, page.object_list),
            "warnings": cases.warnings(timezone.now()),
            "unsent": unsent.select_related("order", "customer").order_by("notified_at", "id")[
                :LIST_ROWS
            ],
            "unsent_count": unsent.count(),
            "refunds": _refund_rows(shop),
            "returned_parcels": [(shipment, previews[shipment.order_id]) for shipment in returned],
            "cases": UnclaimedCase.objects.for_shop(shop)
            .select_related("order__customer", "shipment")
            .order_by("-opened_at")[:LIST_ROWS],
            "list_rows": LIST_ROWS,
            "settings_form": SettingsForm(instance=deadlines.settings_for(shop)),
            "fee_rule": FEE_RULE,
            "warn_days": deadlines.WARN_DAYS,
        },
    )


@require_POST
@shop_required
def goods_back(request, withdrawal_id):
    withdrawal = get_for_shop_or_404(Withdrawal.objects.all(), request.shop, pk=withdrawal_id)
    withdrawals.mark_goods_back(request.shop, withdrawal)
    messages.success(request, _("Withdrawal %(code)s: goods back.") % {"code": withdrawal.code})
    return redirect("backoffice:withdrawals")


@require_POST
@shop_required
def refund_withdrawal(request, withdrawal_id):
    withdrawal = get_for_shop_or_404(Withdrawal.objects.all(), request.shop, pk=withdrawal_id)
    try:
        withdrawal = withdrawals.refund_withdrawal(request.shop, withdrawal)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        if withdrawal.refunded_on_time:
            messages.success(request, _("Refunded on time."))
        else:
            messages.warning(request, _("Refunded after the legal deadline."))
    return redirect("backoffice:withdrawals")


@require_POST
@shop_required
def open_unclaimed(request, shipment_id):
    shipment = get_for_shop_or_404(Shipment.objects.all(), request.shop, pk=shipment_id)
    try:
        unclaimed.open_unclaimed_case(request.shop, shipment)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Unclaimed parcel case opened; the customer is notified."))
    return redirect("backoffice:withdrawals")


@require_POST
@shop_required
def refund_unclaimed(request, case_id):
    case = get_for_shop_or_404(UnclaimedCase.objects.all(), request.shop, pk=case_id)
    try:
        unclaimed.refund_unclaimed_case(request.shop, case)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Unclaimed parcel refunded."))
    return redirect("backoffice:withdrawals")


@require_POST
@shop_required(owner_only=True)
def save_settings(request):
    form = SettingsForm(request.POST, instance=deadlines.settings_for(request.shop))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}")
        return redirect("backoffice:withdrawals")
    withdrawals.save_withdrawal_settings(request.shop, **form.cleaned_data)
    messages.success(request, _("Withdrawal settings saved."))
    return redirect("backoffice:withdrawals")
