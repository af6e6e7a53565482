"""The forms of the back-office's loyalty pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersale.loyalty.models import LoyaltyProgramme, Tier


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = LoyaltyProgramme
        fields = [
            "enabled",
            "starts_at",
            "tier_basis",
            "grace_days",
            "expiry_months",
            "point_value_cents",
        ]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}
        help_texts = {
            "starts_at": _(
                "Orders placed before this earn nothing; empty starts the programme when you "
                "enable it."
            )
        }


class RuleForm(forms.Form):
    points_per_euro = forms.IntegerField(
        label=_("Points per euro"),
        min_value=0,
        max_value=1000,
        help_text=_("Of each order line's amount without VAT, after discounts."),
    )
    first_order_bonus = forms.IntegerField(
        label=_("First-order bonus (points)"), min_value=0, max_value=1_000_000
    )
    review_bonus = forms.IntegerField(
        label=_("Written review bonus (points)"),
        min_value=0,
        max_value=1_000_000,
        help_text=_("The same for every written review, whatever its rating."),
    )
    referral_advocate_points = forms.IntegerField(
        label=_("Referral reward for the advocate (points)"), min_value=0, max_value=1_000_000
    )
    referral_friend_points = forms.IntegerField(
        label=_("Welcome reward for the referred friend (points)"),
        min_value=0,
        max_value=1_000_000,
    )


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = [
            "name",
            "threshold",
            "multiplier_percent",
            "free_returns",
            "free_exchanges",
            "early_access",
        ]
        help_texts = {
            "threshold": _(
                "Net spend in euros, or vested points, over the last 12 months (whichever the "
                "programme's tiers go by)."
            )
        }

    def __init__(self, *args, shop, by_spend: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.shop = shop
        self.by_spend = by_spend
        self.fields["multiplier_percent"].min_value = 100
        self.fields["multiplier_percent"].widget.attrs["min"] = 100

    def clean_multiplier_percent(self):
        value = self.cleaned_data["multiplier_percent"]
        if value < 100 or value > 1000:
            raise forms.ValidationError(_("Enter a multiplier from 100 to 1000 %."))
        return value

    def clean_threshold(self):
        value = self.cleaned_data["threshold"]
        stored = value * 100 if self.by_spend else value
        if Tier.objects.for_shop(self.shop).filter(threshold=stored).exists():
            raise forms.ValidationError(_("Another tier has this threshold; choose another."))
        return stored


class AdjustForm(forms.Form):
    points = forms.IntegerField(
        label=_("Points"),
        min_value=-10_000_000,
        max_value=10_000_000,
        help_text=_("Positive to add, negative to take away."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Shown to the customer in their history and kept in the ledger."),
    )

    def clean_points(self):
        value = self.cleaned_data["points"]
        if value == 0:
            raise forms.ValidationError(_("Enter a number of points other than zero."))
        return value


class GiveRewardForm(forms.Form):
    """A reward's code for the customer without taking points (goodwill)."""

    reward = forms.ModelChoiceField(label=_("Reward"), queryset=None)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Why the customer gets it; kept with the code and on their timeline."),
    )

    def __init__(self, *args, shop, **kwargs):
        from aftersale.loyalty.reward_models import Reward

        super().__init__(*args, **kwargs)
        self.fields["reward"].queryset = Reward.objects.for_shop(shop).order_by("name", "pk")
