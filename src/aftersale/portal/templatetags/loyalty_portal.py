"""The rewards and referral blocks of the portal's loyalty page: what they show is read here,
so the page's includes need nothing but the shop and the member."""

from __future__ import annotations

from urllib.parse import quote

from django import template
from django.utils import timezone

from aftersale.loyalty import referrals, rewards, selectors
from aftersale.loyalty.reward_models import Redemption, Reward
from aftersale.loyalty.rewards import offer_text

register = template.Library()

REDEMPTIONS_SHOWN = 10


@register.inclusion_tag("portal/loyalty/rewards_block.html")
def rewards_block(shop, customer, balance=None):
    """``balance``: the member's balance when the page has read it already."""
    catalogue = list(Reward.objects.for_shop(shop).filter(active=True, points_cost__gt=0))
    if balance is None and customer is not None:
        balance = selectors.balance(shop, customer)
    available = balance.available if balance is not None else 0
    redemptions = []
    if customer is not None:
        now = timezone.now()
        redemptions = [
            (redemption, rewards.may_customer_cancel(redemption, now))
            for redemption in Redemption.objects.for_shop(shop)
            .filter(customer=customer)
            .select_related("reward")[:REDEMPTIONS_SHOWN]
        ]
    return {
        "shop": shop,
        "customer": customer,
        "available": available,
        "catalogue": [(reward, reward.points_cost <= available) for reward in catalogue],
        "redemptions": redemptions,
    }


@register.inclusion_tag("portal/loyalty/referral_block.html")
def referral_block(shop, customer):
    if customer is None:
        return {"shop": shop, "customer": None}
    code = referrals.referral_code_for(shop, customer)
    url = referrals.referral_url(shop, code.code)
    text = referrals.referral_share_text(shop, url)
    welcome = Reward.objects.for_shop(shop).filter(for_referred_friends=True, active=True).first()
    return {
        "shop": shop,
        "customer": customer,
        "code": code.code,
        "url": url,
        "welcome_reward": welcome,
        "mailto": f"mailto:?subject={quote(shop.name)}&body={quote(text)}",
        "whatsapp": f"https://wa.me/?text={quote(text)}",
    }


@register.filter
def reward_offer(reward, shop) -> str:
    """What the reward gives, in the customer's words ("5,00 € off", "10 % off")."""
    return offer_text(reward, shop.currency)
