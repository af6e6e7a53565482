"""The portal's rewards and referral pages: redeeming a reward for points, giving an unused
one back, and the landing page of a referral link where a friend claims their welcome gift.

The rewards and the member's referral link are shown inside the loyalty page through its
includes (loyalty/portal/_rewards.html and _referral.html, filled by the ``loyalty_portal``
template tags)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersale.core import limits
from aftersale.loyalty import referrals, rewards
from aftersale.loyalty.reward_models import Redemption, Reward
from aftersale.portal.lookup import shop_for
from aftersale.portal.loyalty import signed_in_customer

CLAIMS_PER_ADDRESS = 20
CLAIM_WINDOW_SECONDS = 60 * 60


def loyalty_page_url(shop) -> str:
    return reverse("portal:loyalty", kwargs={"shop_slug": shop.slug})


@require_POST
def redeem(request, shop_slug, reward_id):
    shop = shop_for(shop_slug)
    customer = signed_in_customer(request, shop)
    if customer is None:
        return redirect("portal:lookup", shop_slug=shop.slug)
    reward = Reward.objects.for_shop(shop).filter(pk=reward_id, active=True).first()
    if reward is None:
        raise Http404
    try:
        redemption = rewards.redeem_reward(
            shop, customer, reward, channel=Redemption.Channel.PORTAL
        )
    except rewards.CannotRedeem as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("Your code is %(code)s. Give it at the checkout of your next order.")
            % {"code": redemption.code},
        )
    return redirect(loyalty_page_url(shop) + "#rewards")


@require_POST
def give_back(request, shop_slug, redemption_id):
    shop = shop_for(shop_slug)
    customer = signed_in_customer(request, shop)
    if customer is None:
        return redirect("portal:lookup", shop_slug=shop.slug)
    redemption = (
        Redemption.objects.for_shop(shop)
        .filter(pk=redemption_id, customer=customer)
        .select_related("reward")
        .first()
    )
    if redemption is None:
        raise Http404
    try:
        rewards.cancel_redemption(
            shop, redemption, reason=_("Given back by the customer"), by_customer=True
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            _("The code is cancelled and %(points)s points are back on your account.")
            % {"points": redemption.points},
        )
    return redirect(loyalty_page_url(shop) + "#rewards")


class ClaimForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your e-mail"), max_length=254)


def referral(request, shop_slug, code):
    """A friend opened a referral link: they give their e-mail and get the welcome gift."""
    shop = shop_for(shop_slug)
    welcome = Reward.objects.for_shop(shop).filter(for_referred_friends=True, active=True).first()
    context = {"shop": shop, "welcome_reward": welcome, "form": ClaimForm(), "code": code}
    if request.method != "POST":
        return render(request, "portal/loyalty/referral_landing.html", context)
    form = ClaimForm(request.POST)
    context["form"] = form
    address = limits.client_address(request)
    key = f"portal:referral-claims:{shop.pk}:{address}"
    if limits.count(key, CLAIM_WINDOW_SECONDS) > CLAIMS_PER_ADDRESS:
        context["refusal"] = _("Too many attempts from your network; try again in an hour.")
        return render(request, "portal/loyalty/referral_landing.html", context, status=429)
    if not form.is_valid():
        return render(request, "portal/loyalty/referral_landing.html", context, status=400)
    try:
        claim = referrals.claim_referral(shop, code, email=form.cleaned_data["email"], ip=address)
    except referrals.ReferralRefused as refused:
        context["refusal"] = str(refused)
        return render(request, "portal/loyalty/referral_landing.html", context, status=409)
    except ValidationError as invalid:
        for field, errors in invalid.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return render(request, "portal/loyalty/referral_landing.html", context, status=400)
    context["claim"] = claim
    return render(request, "portal/loyalty/referral_landing.html", context)
