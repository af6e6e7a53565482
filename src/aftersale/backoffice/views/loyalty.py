"""The loyalty programme in the back-office: settings and versioned rules, tiers, members,
a member's ledger with manual adjustments, the liability report and the effect report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersale.backoffice.access import shop_required
from aftersale.backoffice.loyalty_forms import (
    AdjustForm,
    GiveRewardForm,
    ProgrammeForm,
    RuleForm,
    TierForm,
)
from aftersale.backoffice.pagination import page_of
from aftersale.core.limits import client_address
from aftersale.core.models import Membership
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.loyalty import rewards, selectors, services
from aftersale.loyalty.models import (
    CustomerPoints,
    EarningRule,
    EffectReport,
    TierBasis,
)
from aftersale.loyalty.services import RULE_FIELDS
from aftersale.loyalty.tasks import compute_shop_effect_report
from aftersale.orders.models import Customer
from aftersale.privacy.audit import record_access
from aftersale.privacy.models import AuditAction


def _owner_only(request) -> None:
    if request.membership.role != Membership.Role.OWNER:
        raise Http404


@shop_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    """The programme's settings, its earning rules (each change a new version) and its tiers."""
    shop = request.shop
    programme = services.programme_for(shop)
    rule = services.current_rule(shop)
    by_spend = programme.tier_basis == TierBasis.NET_SPEND
    action = request.POST.get("save") if request.method == "POST" else None
    if action:
        _owner_only(request)
    programme_form = ProgrammeForm(
        request.POST if action == "programme" else None, instance=programme, prefix="programme"
    )
    rule_form = RuleForm(
        request.POST if action == "rule" else None,
        initial={name: getattr(rule, name) for name in RULE_FIELDS}
        if rule
        else {"points_per_euro": 1},
        prefix="rule",
    )
    tier_form = TierForm(
        request.POST if action == "tier" else None, shop=shop, by_spend=by_spend, prefix="tier"
    )
    if action == "programme" and programme_form.is_valid():
        values = {name: programme_form.cleaned_data[name] for name in ProgrammeForm.Meta.fields}
        services.save_programme(shop, staff_user=request.user, **values)
        _audit(request, programme, "loyalty programme settings")
        messages.success(request, _("Programme settings saved."))
        return redirect("backoffice:loyalty_settings")
    if action == "rule" and rule_form.is_valid():
        saved = services.save_rule(shop, staff_user=request.user, **rule_form.cleaned_data)
        if rule is None or saved.pk != rule.pk:
            _audit(request, saved, f"loyalty earning rules version {saved.version}")
            messages.success(
                request,
                _("Earning rules saved as version %(version)s; points already earned keep theirs.")
                % {"version": saved.version},
            )
        return redirect("backoffice:loyalty_settings")
    if action == "tier" and tier_form.is_valid():
        tier = services.add_tier(shop, **tier_form.cleaned_data)
        _audit(request, tier, f"loyalty tier {tier.name} added")
        messages.success(request, _("Tier %(name)s added.") % {"name": tier.name})
        return redirect("backoffice:loyalty_settings")
    status = 400 if action else 200
    return render(
        request,
        "backoffice/loyalty/settings.html",
        {
            "programme": programme,
            "programme_form": programme_form,
            "rule_form": rule_form,
            "tier_form": tier_form,
            "rules": EarningRule.objects.for_shop(shop).select_related("created_by")[:20],
            "tiers": selectors.tiers(shop),
            "by_spend": by_spend,
            "owner": request.membership.role == Membership.Role.OWNER,
        },
        status=status,
    )


def _audit(request, subject, detail: str) -> None:
    record_access(
        request.shop,
        AuditAction.SETTINGS_CHANGED,
        actor=request.user,
        subject=subject,
        detail=detail,
        client_address=client_address(request),
    )


@shop_required
@require_POST
def tier_delete(request, tier_id: int):
    _owner_only(request)
    from aftersale.loyalty.models import Tier

    tier = get_for_shop_or_404(Tier.objects, request.shop, pk=tier_id)
    with transaction.atomic():
        _audit(request, tier, f"loyalty tier {tier.name} removed")
        services.remove_tier(request.shop, tier)
    messages.success(request, _("Tier %(name)s removed.") % {"name": tier.name})
    return redirect("backoffice:loyalty_settings")


@shop_required
def members(request):
    rows = (
        CustomerPoints.objects.for_shop(request.shop)
        .select_related("customer", "tier")
        .order_by("-joined_at", "-id")
    )
    return render(request, "backoffice/loyalty/members.html", {"page": page_of(request, rows)})


@shop_required
@require_http_methods(["GET", "POST"])
def member_ledger(request, customer_id: int):
    """A customer's points and ledger, with a manual adjustment (reason required)."""
    shop = request.shop
    customer = get_for_shop_or_404(Customer.objects, shop, pk=customer_id)
    giving = request.method == "POST" and "give" in request.POST
    form = AdjustForm(request.POST if request.method == "POST" and not giving else None)
    give_form = GiveRewardForm(request.POST if giving else None, shop=shop, prefix="give")
    if request.method == "POST" and not giving and form.is_valid():
        services.adjust(
            shop,
            customer,
            points=form.cleaned_data["points"],
            reason=form.cleaned_data["reason"],
            staff_user=request.user,
        )
        messages.success(request, _("Points adjusted."))
        return redirect("backoffice:loyalty_member", customer_id=customer.pk)
    if giving and give_form.is_valid():
        try:
            given = rewards.give_reward(
                shop,
                customer,
                give_form.cleaned_data["reward"],
                reason=give_form.cleaned_data["reason"],
                staff_user=request.user,
            )
        except rewards.CannotRedeem as refused:
            give_form.add_error("reward", str(refused))
        except ValidationError as invalid:
            for field, errors in invalid.message_dict.items():
                give_form.add_error(field if field in give_form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Reward %(name)s given: code %(code)s.")
                % {"name": given.reward.name, "code": given.code},
            )
            return redirect("backoffice:loyalty_member", customer_id=customer.pk)
    programme = services.programme_for(shop)
    member = selectors.member(shop, customer)
    return render(
        request,
        "backoffice/loyalty/member.html",
        {
            "customer": customer,
            "member": member,
            "balance": selectors.balance(shop, customer),
            "progress": selectors.tier_progress(shop, customer, programme.tier_basis, member),
            "page": page_of(request, selectors.history(shop, customer)),
            "form": form,
            "give_form": give_form,
        },
        status=400 if form.errors or give_form.errors else 200,
    )


@shop_required
def liability(request):
    programme = services.programme_for(request.shop)
    return render(
        request,
        "backoffice/loyalty/liability.html",
        {
            "programme": programme,
            "liability": selectors.liability(request.shop, programme.point_value_cents),
        },
    )


@shop_required
@require_http_methods(["GET", "POST"])
def effect(request):
    if request.method == "POST":
        compute_shop_effect_report.enqueue(request.shop.pk)
        messages.info(request, _("The report is being computed; it appears here in a moment."))
        return redirect("backoffice:loyalty_effect")
    report = EffectReport.objects.filter(shop=request.shop).first()
    return render(request, "backoffice/loyalty/effect.html", {"report": report})
