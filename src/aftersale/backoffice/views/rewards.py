"""Rewards, their code pools, the redemptions, and the referral review queue."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersale.backoffice.access import shop_required
from aftersale.backoffice.pagination import page_of
from aftersale.loyalty import fraud, referrals, rewards
from aftersale.loyalty.referral_models import Referral
from aftersale.loyalty.reward_models import Redemption, Reward
from aftersale.orders.csv_import import ImportFailed


class RewardForm(forms.ModelForm):
    amount = forms.DecimalField(
        label=gettext_lazy("Discount (€)"),
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        help_text=gettext_lazy("For a fixed discount."),
    )
    minimum_order = forms.DecimalField(
        label=gettext_lazy("Minimum order (€)"),
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
    )

    class Meta:
        model = Reward
        fields = [
            "name",
            "description",
            "kind",
            "percent",
            "product_sku",
            "points_cost",
            "code_source",
            "cancel_days",
            "for_referred_friends",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["amount"].initial = self.instance.amount_cents / 100
            self.fields["minimum_order"].initial = self.instance.minimum_order_cents / 100
        self.order_fields(["name", "description", "kind", "amount", "percent", "product_sku"])

    def values(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["amount_cents"] = int((self.cleaned_data.get("amount") or 0) * 100)
        data["minimum_order_cents"] = int((self.cleaned_data.get("minimum_order") or 0) * 100)
        return data

    def _post_clean(self):
        """The service checks the reward (save_reward); the form only reads the fields."""


class CodesForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file of codes"),
        help_text=gettext_lazy("A column named 'code', or one code per line."),
    )


def _reward_of(request, reward_id: int) -> Reward:
    return get_object_or_404(Reward.objects.for_shop(request.shop), pk=reward_id)


@shop_required
def reward_list(request):
    catalogue = list(Reward.objects.for_shop(request.shop))
    counts = rewards.pool_counts(request.shop, catalogue)
    return render(
        request,
        "backoffice/rewards/list.html",
        {
            "rows": [(reward, counts[reward.pk]) for reward in catalogue],
            "is_owner": request.membership.role == "owner",
            "waiting": Referral.objects.for_shop(request.shop)
            .filter(state=Referral.State.REVIEW)
            .count(),
        },
    )


def _save(request, reward: Reward | None):
    form = RewardForm(request.POST or None, instance=reward or Reward(shop=request.shop))
    if request.method == "POST" and form.is_valid():
        try:
            saved = rewards.save_reward(request.shop, reward, **form.values())
        except ValidationError as invalid:
            for field, errors in invalid.message_dict.items():
                name = {"amount_cents": "amount", "minimum_order_cents": "minimum_order"}.get(
                    field, field
                )
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The reward %(name)s is saved.") % {"name": saved.name})
            return redirect("backoffice:reward_detail", reward_id=saved.pk)
    return render(request, "backoffice/rewards/edit.html", {"form": form, "reward": reward})


@shop_required(owner_only=True)
def reward_new(request):
    return _save(request, None)


@shop_required(owner_only=True)
def reward_edit(request, reward_id):
    return _save(request, _reward_of(request, reward_id))


@shop_required
def reward_detail(request, reward_id):
    reward = _reward_of(request, reward_id)
    form = CodesForm()
    report = None
    if request.method == "POST":
        if request.membership.role != "owner":
            raise PermissionDenied
        form = CodesForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                added = rewards.import_codes_csv(
                    request.shop, reward, form.cleaned_data["file"].open("rb")
                )
            except ImportFailed as failed:
                report = failed.problems
            else:
                messages.success(
                    request,
                    _("%(added)s codes added; %(known)s were in the pool already.")
                    % {"added": added.added, "known": added.already_there},
                )
                return redirect("backoffice:reward_detail", reward_id=reward.pk)
    return render(
        request,
        "backoffice/rewards/detail.html",
        {
            "reward": reward,
            "counts": rewards.pool_counts(request.shop, [reward])[reward.pk],
            "form": form,
            "report": report,
            "is_owner": request.membership.role == "owner",
            "redeemed": Redemption.objects.for_shop(request.shop)
            .filter(reward=reward)
            .aggregate(
                reserved=Count("id", filter=Q(state=Redemption.State.RESERVED)),
                settled=Count("id", filter=Q(state=Redemption.State.SETTLED)),
                cancelled=Count("id", filter=Q(state=Redemption.State.CANCELLED)),
            ),
        },
    )


@shop_required
def redemption_list(request):
    states = dict(Redemption.State.choices)
    state = request.GET.get("state") if request.GET.get("state") in states else ""
    redemptions = Redemption.objects.for_shop(request.shop).select_related("reward", "customer")
    if state:
        redemptions = redemptions.filter(state=state)
    return render(
        request,
        "backoffice/rewards/redemptions.html",
        {"page": page_of(request, redemptions), "states": states, "state": state},
    )


@require_POST
@shop_required
def redemption_cancel(request, redemption_id):
    redemption = get_object_or_404(Redemption.objects.for_shop(request.shop), pk=redemption_id)
    try:
        rewards.cancel_redemption(request.shop, redemption, reason=request.POST.get("reason", ""))
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            _("Code %(code)s is cancelled; its points are back with the customer.")
            % {"code": redemption.code},
        )
    return redirect("backoffice:redemptions")


@shop_required
def referral_queue(request):
    states = dict(Referral.State.choices)
    state = request.GET.get("state") if request.GET.get("state") in states else "review"
    referral_rows = (
        Referral.objects.for_shop(request.shop)
        .filter(state=state)
        .select_related("advocate", "friend", "friend_order")
    )
    page = page_of(request, referral_rows)
    return render(
        request,
        "backoffice/rewards/referrals.html",
        {
            "page": page,
            "rows": [
                (referral, [fraud.reason_text(r) for r in referral.reasons])
                for referral in page.object_list
            ],
            "states": states,
            "state": state,
        },
    )


@require_POST
@shop_required
def referral_decide(request, referral_id):
    referral = get_object_or_404(Referral.objects.for_shop(request.shop), pk=referral_id)
    note = request.POST.get("note", "")
    try:
        if request.POST.get("decision") == "approve":
            referrals.approve_referral(request.shop, referral, staff_user=request.user, note=note)
            messages.success(request, _("The referral is approved and its rewards are earned."))
        else:
            referrals.reject_referral(request.shop, referral, staff_user=request.user, note=note)
            messages.success(request, _("The referral is rejected; no one earns anything."))
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    return redirect("backoffice:referrals")
