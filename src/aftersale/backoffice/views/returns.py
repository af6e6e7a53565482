"""The merchant's return pages: the queue, one return, receiving by code, insight, the policy."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersale.backoffice.access import shop_required
from aftersale.backoffice.pagination import page_of
from aftersale.core.models import Membership
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.delivery.carriers import CARRIERS, display_name
from aftersale.returns import insight, policy, selectors, services
from aftersale.returns.models import (
    OPEN_RETURN_STATES,
    ReturnLine,
    ReturnPolicy,
    ReturnReason,
    ReturnRequest,
    ReturnState,
)
from aftersale.returns.photos import photo_response
from aftersale.reviews import figures

PAGE_SIZE = 50
AGE_CHOICES = [
    ("", gettext_lazy("Any age")),
    ("2", gettext_lazy("Older than 2 days")),
    ("7", gettext_lazy("Older than 7 days")),
    ("14", gettext_lazy("Older than 14 days")),
]


# --- The queue --------------------------------------------------------------------------


class QueueFilter(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[
            ("", gettext_lazy("Open returns")),
            ("all", gettext_lazy("All")),
            *ReturnState.choices,
        ],
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        required=False,
        choices=[("", gettext_lazy("Any reason")), *ReturnReason.choices],
    )
    age = forms.ChoiceField(label=gettext_lazy("Age"), required=False, choices=AGE_CHOICES)
    q = forms.CharField(label=gettext_lazy("Return code or order number"), required=False)


OPEN_STATES = list(OPEN_RETURN_STATES)


def filtered_returns(shop, data):
    returns = ReturnRequest.objects.for_shop(shop).select_related("order", "customer")
    state = data.get("state", "")
    if state == "":
        returns = returns.filter(state__in=OPEN_STATES)
    elif state != "all":
        returns = returns.filter(state=state)
    if data.get("reason"):
        returns = returns.filter(lines__reason=data["reason"]).distinct()
    if data.get("age"):
        returns = returns.filter(requested_at__lt=timezone.now() - timedelta(days=int(data["age"])))
    query = (data.get("q") or "").strip()
    if query:
        returns = returns.filter(code=query.replace(" ", "").upper()) | returns.filter(
            order__number=query.lstrip("#")
        )
    return returns.prefetch_related("lines__order_line").order_by("requested_at", "id")


@require_GET
@shop_required
def queue(request):
    shop = request.shop
    form = QueueFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = page_of(request, filtered_returns(shop, data), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/returns/queue.html",
        {"form": form, "page": page, "query": query.urlencode(), "now": timezone.now()},
    )


@require_POST
@shop_required
def bulk_approve(request):
    shop = request.shop
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    chosen = list(ReturnRequest.objects.for_shop(shop).filter(pk__in=ids))
    if not chosen:
        messages.error(request, _("Tick the returns to approve first."))
        return redirect("backoffice:returns")
    approved, refused = services.bulk_approve_returns(shop, chosen)
    if approved:
        messages.success(request, _("Approved %(count)s returns.") % {"count": len(approved)})
    if refused:
        messages.error(
            request,
            _("Not approved (no longer waiting for approval): %(codes)s.")
            % {"codes": ", ".join(r.code for r in refused)},
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "backoffice:returns"
    return redirect(back)


# --- One return -------------------------------------------------------------------------


def _detail_context(request, return_request):
    lines = list(
        return_request.lines.select_related("order_line", "exchange_variant").prefetch_related(
            "photos"
        )
    )
    context = {
        "return": return_request,
        "order": return_request.order,
        "lines": lines,
        "timeline": selectors.return_timeline(return_request),
        "inspections": ReturnLine.Inspection.choices[1:],
        "can": {
            state: services.can_transition(return_request, state) for state in ReturnState.values
        },
        "breakdown": policy.refund_for(return_request),
    }
    context["refund_amount"] = f"{context['breakdown'].refund_cents / 100:.2f}"
    if return_request.resolution == "store_credit":
        context["credit_total"], context["credit_bonus"] = policy.store_credit_for(
            return_request.shop, context["breakdown"].refund_cents
        )
    return context


# Euros and at most two decimals, with a point or a comma; at most 100 billion.
AMOUNT = re.compile(r"([0-9]{1,11})(?:[.,]([0-9]{1,2}))?", re.ASCII)


class RefundAmountError(ValueError):
    """The amount typed in the refund form is not an amount; shown beside the field."""


def _cents(value: str) -> int | None:
    """The refund form's amount in cents, checked as text before it is converted."""
    text = (value or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    match = AMOUNT.fullmatch(text)
    if match is None:
        raise RefundAmountError(_("Write the refund as an amount, e.g. 49.90."))
    return int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))


@require_http_methods(["GET", "POST"])
@shop_required
def detail(request, return_id):
    shop = request.shop
    return_request = get_for_shop_or_404(
        ReturnRequest.objects.select_related("order", "customer", "shop", "registered_by"),
        shop,
        pk=return_id,
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "approve":
                services.approve_return(shop, return_request)
            elif action == "reject":
                services.reject_return(shop, return_request, reason=request.POST.get("reason", ""))
            elif action == "in_transit":
                services.mark_in_transit(shop, return_request)
            elif action == "receive":
                services.receive_return(shop, return_request)
            elif action == "inspect":
                outcomes = {
                    line.pk: (
                        request.POST.get(f"inspection-{line.pk}", ""),
                        request.POST.get(f"note-{line.pk}", ""),
                    )
                    for line in return_request.lines.all()
                }
                services.inspect_return(shop, return_request, outcomes)
            elif action == "refund":
                try:
                    services.refund_return(
                        shop, return_request, amount_cents=_cents(request.POST.get("amount", ""))
                    )
                except ValueError as wrong_amount:
                    raise RefundAmountError(str(wrong_amount)) from None
            elif action == "exchange":
                services.exchange_return(shop, return_request)
            elif action == "credit":
                services.credit_return(shop, return_request)
            elif action == "close":
                services.close_return(shop, return_request)
            else:
                raise ValueError(_("Unknown action."))
        except (services.InvalidTransition, ValueError) as problem:
            return_request.refresh_from_db()
            context = _detail_context(request, return_request)
            if isinstance(problem, RefundAmountError):
                context["refund_error"] = str(problem)
                context["refund_amount"] = request.POST.get("amount", "")[:40]
            else:
                messages.error(request, str(problem))
            return render(request, "backoffice/returns/detail.html", context, status=400)
        return_request.refresh_from_db()
        messages.success(
            request,
            _("Return %(code)s is now: %(state)s.")
            % {"code": return_request.code, "state": return_request.get_state_display()},
        )
        return redirect("backoffice:return_detail", return_id=return_request.pk)
    return render(
        request, "backoffice/returns/detail.html", _detail_context(request, return_request)
    )


@require_GET
@shop_required
def photo(request, return_id, photo_id):
    shop = request.shop
    return_request = get_for_shop_or_404(ReturnRequest.objects.all(), shop, pk=return_id)
    found = selectors.photos_of(return_request).filter(pk=photo_id).first()
    if found is None:
        raise Http404
    return photo_response(found)


# --- Receiving by code ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@shop_required
def receive(request):
    """Type or scan a return code (scanners type it and press Enter) to mark it received."""
    shop = request.shop
    code = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        return_request = services.find_by_code(shop, code)
        if return_request is None:
            messages.error(
                request,
                _("No return with the code %(code)s in this shop. Check the code and try again.")
                % {"code": code.strip() or "—"},
            )
        else:
            try:
                services.receive_return(shop, return_request)
            except services.InvalidTransition as problem:
                messages.error(request, str(problem))
            else:
                messages.success(
                    request,
                    _("Return %(code)s received. Inspect it next.") % {"code": return_request.code},
                )
                return redirect("backoffice:return_detail", return_id=return_request.pk)
    return render(request, "backoffice/returns/receive.html", {"code": code}, status=200)


# --- Insight ----------------------------------------------------------------------------


@require_GET
@shop_required
def insight_page(request):
    shop = request.shop
    days = request.GET.get("days", "90")
    days = int(days) if days in {"30", "90", "365"} else 90
    report = insight.return_insight(shop, since=timezone.now() - timedelta(days=days))
    # Each product's published rating and fit answers (all time) beside its returns.
    ratings = figures.ratings_by_product(shop, [row.product_id for row in report.products])
    for row in report.products:
        row.rating = ratings.get(row.product_id)
    return render(request, "backoffice/returns/insight.html", {"report": report, "days": days})


# --- Policy -----------------------------------------------------------------------------


class PolicyForm(forms.ModelForm):
    window_days = forms.IntegerField(
        label=gettext_lazy("Return window (days from receipt)"),
        min_value=policy.STATUTORY_WITHDRAWAL_DAYS,
        max_value=365,
        help_text=gettext_lazy("At least the statutory 14 days."),
    )
    drop_off_fee = forms.DecimalField(
        label=gettext_lazy("Drop-off fee"), min_value=0, decimal_places=2, max_digits=8
    )
    home_pickup_fee = forms.DecimalField(
        label=gettext_lazy("Home pickup fee"),
        min_value=0,
        decimal_places=2,
        max_digits=8,
        required=False,
        help_text=gettext_lazy("Leave empty if the shop does not collect returns from home."),
    )
    store_fee = forms.DecimalField(
        label=gettext_lazy("In-store return fee"),
        min_value=0,
        decimal_places=2,
        max_digits=8,
        required=False,
        help_text=gettext_lazy("Leave empty if customers cannot bring returns to the shop."),
    )
    bonus_percent = forms.DecimalField(
        label=gettext_lazy("Store credit bonus (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        max_digits=5,
    )

    drop_off_carrier = forms.ChoiceField(
        label=gettext_lazy("Carrier for drop-off returns"),
        required=False,
        help_text=gettext_lazy("The carrier the shop has a return contract with, if any."),
    )

    class Meta:
        model = ReturnPolicy
        fields = [
            "free_exchanges",
            "auto_approve_withdrawals",
            "return_address",
            "drop_off_carrier",
            "drop_off_code",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drop_off_carrier"].choices = [("", _("None"))] + [
            (name, display_name(name)) for name in CARRIERS
        ]

    def clean(self):
        data = super().clean()
        if data.get("drop_off_code") and not data.get("drop_off_carrier"):
            self.add_error("drop_off_carrier", _("Choose the carrier the return code is for."))
        return data


def _to_cents(value):
    return None if value is None else int(value * 100)


@require_http_methods(["GET", "POST"])
@shop_required
def policy_page(request):
    shop = request.shop
    if request.membership.role != Membership.Role.OWNER:
        raise Http404
    current = policy.policy_for(shop)
    initial = {
        "window_days": policy.window_days(shop),
        "drop_off_fee": current.drop_off_fee_cents / 100,
        "home_pickup_fee": None
        if current.home_pickup_fee_cents is None
        else current.home_pickup_fee_cents / 100,
        "store_fee": None if current.store_fee_cents is None else current.store_fee_cents / 100,
        "bonus_percent": current.store_credit_bonus_bp / 100,
    }
    form = PolicyForm(request.POST or None, instance=current, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.save_return_policy(
            shop,
            window_days=data["window_days"],
            drop_off_fee_cents=_to_cents(data["drop_off_fee"]),
            home_pickup_fee_cents=_to_cents(data["home_pickup_fee"]),
            store_fee_cents=_to_cents(data["store_fee"]),
            store_credit_bonus_bp=int(data["bonus_percent"] * 100),
            free_exchanges=data["free_exchanges"],
            auto_approve_withdrawals=data["auto_approve_withdrawals"],
            return_address=data["return_address"],
            drop_off_carrier=data["drop_off_carrier"],
            drop_off_code=data["drop_off_code"].strip(),
        )
        messages.success(request, _("Return policy saved."))
        return redirect("backoffice:return_policy")
    return render(
        request,
        "backoffice/returns/policy.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
