"""Registering a return for a customer who phones or writes: the portal's rules, staff's hands.

The page lists the order's items with what may still be returned (the policy engine's
eligibility, the statutory right included), reads the chosen items as the portal's form does and
registers the return through the same service; the return and its timeline event record who
registered it.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aftersale.backoffice.access import shop_required
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.orders.models import Order
from aftersale.portal.returns import requested_lines
from aftersale.returns import policy, services
from aftersale.returns.models import Resolution, ReturnMethod, ReturnReason


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@require_http_methods(["GET", "POST"])
@shop_required
def register_return(request, order_id: int):
    shop = request.shop
    order = get_for_shop_or_404(Order.objects.select_related("customer", "shop"), shop, pk=order_id)
    eligibility = policy.eligibility(order)
    errors: dict[str, str] = {}
    posted = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            return_request = services.register_return(
                shop,
                order,
                requested_lines(request, eligibility),
                resolution=request.POST.get("resolution", ""),
                method=request.POST.get("method", ""),
                registered_by=request.user,
            )
        except policy.ReturnNotAllowed as refused:
            errors = refused.errors
        else:
            messages.success(
                request,
                _("Return %(code)s registered for %(customer)s.")
                % {"code": return_request.code, "customer": order.customer},
            )
            return redirect("backoffice:return_detail", return_id=return_request.pk)
    rows = []
    for item in eligibility.lines:
        prefix = f"line-{item.line.pk}"
        rows.append(
            {
                "item": item,
                "prefix": prefix,
                "returnable": item.can_withdraw or item.can_complain,
                "selected": bool(posted.get(f"{prefix}-selected")),
                "quantity": _int(posted.get(f"{prefix}-quantity"), 1),
                "quantities": range(1, item.remaining + 1),
                "reason": posted.get(f"{prefix}-reason", ""),
                "comment": posted.get(f"{prefix}-comment", ""),
                "exchange": _int(posted.get(f"{prefix}-exchange")),
                "exchange_options": policy.exchange_options(item.line),
                "error": errors.get(prefix, ""),
            }
        )
    return render(
        request,
        "backoffice/returns/register.html",
        {
            "order": order,
            "eligibility": eligibility,
            "rows": rows,
            "reasons": ReturnReason.choices,
            "resolutions": Resolution.choices,
            "resolution": posted.get("resolution", Resolution.REFUND),
            "methods": [
                (method, ReturnMethod(method).label) for method in policy.offered_methods(shop)
            ],
            "method": posted.get("method", ReturnMethod.DROP_OFF),
            "errors": errors,
            "general_errors": [
                message for key, message in errors.items() if not key.startswith("line-")
            ],
        },
        status=400 if errors else 200,
    )
