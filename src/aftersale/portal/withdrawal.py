"""The online withdrawal function (CRD Art. 11a): "Withdraw from contract here".

A stable per-shop address (/s/<shop>/withdraw/) the shop links from its checkout and footer:
a customer who is not signed in gives the order number and e-mail (the portal's lookup, with
its rate limits and constant-time checks); then the order's form asks only which items, a
confirmation step follows, and the notice is recorded with its exact time. No reason is asked.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from aftersale.portal import access
from aftersale.portal.forms import LookupForm
from aftersale.portal.lookup import shop_for
from aftersale.portal.orders import SignInRequired, order_for
from aftersale.returns import deadlines, withdrawals
from aftersale.returns.acknowledgement import acknowledgement_pdf
from aftersale.returns.models import Withdrawal


def _start_page(request, shop, form=None, status=200):
    return render(
        request,
        "portal/withdrawal/start.html",
        {
            "shop": shop,
            "form": form or LookupForm(),
            "orders": access.visible_orders(request, shop).order_by("-placed_at")[:20],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def start(request, shop_slug):
    """The shop's stable withdrawal address: find the order by number and e-mail."""
    shop = shop_for(shop_slug)
    if request.method == "GET":
        return _start_page(request, shop)
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _start_page(request, shop, form, status=400)
    number = form.cleaned_data["number"]
    if not access.start_lookup(request, shop, number):
        form.add_error(None, _("Too many attempts. Wait 15 minutes and try again."))
        return _start_page(request, shop, form, status=429)
    order = access.find_order(shop, number, form.cleaned_data["email"])
    if order is None:
        form.add_error(
            None,
            _(
                "We could not find an order with that number and e-mail address. Check both: "
                "you find them in your order confirmation."
            ),
        )
        return _start_page(request, shop, form, status=400)
    access.lookup_found(request, shop, number)
    access.grant(request, shop, customers=[order.customer], order=order)
    return redirect("portal:withdraw_order", shop_slug=shop.slug, order_id=order.pk)


def _chosen_ids(request) -> list[int]:
    ids = []
    for value in request.POST.getlist("lines"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return ids


@require_http_methods(["GET", "POST"])
def withdraw_order(request, shop_slug, order_id):
    """Choose the items (all by default), confirm, and the notice is recorded."""
    shop = shop_for(shop_slug)
    try:
        order = order_for(request, shop, order_id)
    except SignInRequired:
        return redirect("portal:withdraw", shop_slug=shop.slug)
    refused = withdrawals.refusal(order)
    if refused is not None:
        return render(
            request,
            "portal/withdrawal/refused.html",
            {"shop": shop, "order": order, "refusal": refused},
            status=403,
        )
    items = withdrawals.withdrawable_lines(order)
    period = deadlines.withdrawal_period(order)
    context = {"shop": shop, "order": order, "items": items, "period": period}
    if request.method == "GET":
        context["chosen"] = [item.line.pk for item in items if item.can_withdraw]
        return render(request, "portal/withdrawal/form.html", context)
    chosen = _chosen_ids(request)
    open_ids = {item.line.pk for item in items if item.can_withdraw}
    if not chosen or not set(chosen) <= open_ids:
        context["chosen"] = chosen
        context["error"] = _("Choose at least one of the items you can still withdraw from.")
        return render(request, "portal/withdrawal/form.html", context, status=400)
    if request.POST.get("step") != "confirm":
        context["chosen_items"] = [item for item in items if item.line.pk in chosen]
        context["chosen"] = chosen
        context["whole_order"] = set(chosen) == {item.line.pk for item in items}
        return render(request, "portal/withdrawal/confirm.html", context)
    try:
        withdrawal = withdrawals.notify_withdrawal(
            shop, order, line_ids=chosen, language=get_language() or ""
        )
    except withdrawals.WithdrawalRefused as exc:
        context["chosen"] = chosen
        context["error"] = exc.message
        return render(request, "portal/withdrawal/form.html", context, status=400)
    return redirect("portal:withdrawal_receipt", shop_slug=shop.slug, code=withdrawal.code)


def _withdrawal_for(request, shop, code: str) -> Withdrawal:
    """A withdrawal of an order this browser may see; 404 for any other."""
    withdrawal = (
        Withdrawal.objects.for_shop(shop)
        .select_related("shop", "order", "customer")
        .filter(code=code.upper())
        .first()
    )
    if withdrawal is None:
        raise Http404
    order_for(request, shop, withdrawal.order_id)
    return withdrawal


@require_GET
def receipt(request, shop_slug, code):
    """What the customer sees after confirming: the exact time the notice was received."""
    shop = shop_for(shop_slug)
    try:
        withdrawal = _withdrawal_for(request, shop, code)
    except SignInRequired:
        return redirect("portal:withdraw", shop_slug=shop.slug)
    return render(
        request,
        "portal/withdrawal/receipt.html",
        {
            "shop": shop,
            "withdrawal": withdrawal,
            "order": withdrawal.order,
            "lines": withdrawal.lines.select_related("order_line"),
        },
    )


@require_GET
def acknowledgement(request, shop_slug, code):
    """The acknowledgement's PDF again, as it was e-mailed (regenerated from the stored notice)."""
    shop = shop_for(shop_slug)
    try:
        withdrawal = _withdrawal_for(request, shop, code)
    except SignInRequired:
        return redirect("portal:withdraw", shop_slug=shop.slug)
    response = HttpResponse(acknowledgement_pdf(withdrawal), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="withdrawal-{withdrawal.code}.pdf"'
    return response
