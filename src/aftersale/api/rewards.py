"""Loyalty rewards for the shop's checkout and systems.

* ``GET /loyalty/rewards`` — the catalogue.
* ``POST /loyalty/rewards/{id}/codes`` — add codes to a reward's pool (all or none).
* ``POST /customers/{external_id}/redemptions`` — redeem a reward for the customer's points:
  issues one code (201), or a problem saying why not (409, ``not_enough_points`` …).
* ``GET /customers/{external_id}/redemptions`` — the customer's codes, newest first.
* ``POST /redemptions/{id}/cancel`` — give an unused code back; the points return.
* ``POST /customers/{external_id}/goodwill-rewards`` — give a reward's code without taking
  points (goodwill), with the reason required.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from aftersale.api.problems import Problem, invalid_fields
from aftersale.api.reads import _one
from aftersale.loyalty import rewards
from aftersale.loyalty.reward_models import Redemption, Reward
from aftersale.orders.csv_import import ImportFailed
from aftersale.orders.ingest import text
from aftersale.orders.models import Customer
from aftersale.privacy.audit import current_acting

REDEMPTIONS_LISTED = 100


class RewardOut(Schema):
    id: int
    name: str
    description: str
    kind: str = Field(description="fixed_amount, percentage, free_shipping or product")
    amount_cents: int
    percent: int
    product_sku: str
    minimum_order_cents: int
    points_cost: int
    code_source: str = Field(description="pool (uploaded codes) or platform (made here)")
    active: bool


class CodesIn(Schema):
    codes: list[text(64, min_length=1)] = Field(min_length=1, max_length=10_000)


class CodesOut(Schema):
    added: int
    already_there: int


class RedeemIn(Schema):
    reward_id: int


class CancelIn(Schema):
    reason: text(300, min_length=1)


class GoodwillIn(Schema):
    reward_id: int
    reason: str = Field(max_length=300, description="Why the customer gets it (required)")


class RedemptionOut(Schema):
    id: int
    code: str
    reward_id: int
    reward_name: str
    points: int
    state: str = Field(description="reserved, settled (used in an order) or cancelled")
    channel: str = Field(description="portal, api, staff, referral or goodwill")
    reason: str = Field(description="Why staff gave it without points (goodwill), else empty")
    created_at: datetime
    settled_at: datetime | None
    settled_order_external_id: str | None
    cancelled_at: datetime | None


def _redemption(redemption: Redemption) -> dict:
    return {
        "id": redemption.pk,
        "code": redemption.code,
        "reward_id": redemption.reward_id,
        "reward_name": redemption.reward.name,
        "points": redemption.points,
        "state": redemption.state,
        "channel": redemption.channel,
        "reason": redemption.reason,
        "created_at": redemption.created_at,
        "settled_at": redemption.settled_at,
        "settled_order_external_id": (
            redemption.settled_order.external_id if redemption.settled_order else None
        ),
        "cancelled_at": redemption.cancelled_at,
    }


def list_rewards(request):
    return list(Reward.objects.for_shop(request.shop))


def add_codes(request, reward_id: int, body: CodesIn):
    reward = _one(Reward.objects.for_shop(request.shop), pk=str(reward_id))
    try:
        added = rewards.add_codes(request.shop, reward, list(body.codes))
    except ImportFailed as failed:
        raise invalid_fields(
            [
                {
                    "pointer": f"/codes/{problem.row - 1}" if problem.row else "/codes",
                    "detail": problem.message,
                }
                for problem in failed.problems
            ]
        ) from None
    return {"added": added.added, "already_there": added.already_there}


def redeem(request, external_id: str, body: RedeemIn):
    shop = request.shop
    customer = _one(Customer.objects.for_shop(shop), external_id=external_id)
    reward = _one(Reward.objects.for_shop(shop), pk=str(body.reward_id))
    try:
        redemption = rewards.redeem_reward(shop, customer, reward, channel=Redemption.Channel.API)
    except rewards.CannotRedeem as refused:
        raise Problem(409, _("Cannot redeem"), str(refused), kind=refused.code) from None
    return 201, _redemption(redemption)


def give(request, external_id: str, body: GoodwillIn):
    shop = request.shop
    customer = _one(Customer.objects.for_shop(shop), external_id=external_id)
    reward = _one(Reward.objects.for_shop(shop), pk=str(body.reward_id))
    try:
        redemption = rewards.give_reward(
            shop, customer, reward, reason=body.reason, actor=current_acting().name
        )
    except ValidationError as invalid:
        raise invalid_fields(
            [
                {"pointer": f"/{field}", "detail": " ".join(messages)}
                for field, messages in invalid.message_dict.items()
            ]
        ) from None
    except rewards.CannotRedeem as refused:
        raise Problem(409, _("Cannot give the reward"), str(refused), kind=refused.code) from None
    return 201, _redemption(redemption)


def customer_redemptions(request, external_id: str):
    shop = request.shop
    customer = _one(Customer.objects.for_shop(shop), external_id=external_id)
    rows = (
        Redemption.objects.for_shop(shop)
        .filter(customer=customer)
        .select_related("reward", "settled_order")[:REDEMPTIONS_LISTED]
    )
    return [_redemption(r) for r in rows]


def cancel(request, redemption_id: int, body: CancelIn):
    shop = request.shop
    redemption = _one(
        Redemption.objects.for_shop(shop).select_related("reward", "settled_order"),
        pk=str(redemption_id),
    )
    try:
        cancelled = rewards.cancel_redemption(shop, redemption, reason=body.reason)
    except ValidationError as refused:
        raise Problem(
            409, _("Cannot cancel"), " ".join(refused.messages), kind="not-cancellable"
        ) from None
    return _redemption(cancelled)


def add_reward_endpoints(router: Router) -> None:
    tags = ["loyalty rewards"]
    router.get(
        "/loyalty/rewards", response=list[RewardOut], tags=tags, summary="The rewards catalogue"
    )(list_rewards)
    router.post(
        "/loyalty/rewards/{reward_id}/codes",
        response=CodesOut,
        tags=tags,
        summary="Add codes to a reward's pool (all or none)",
    )(add_codes)
    router.post(
        "/customers/{path:external_id}/redemptions",
        response={201: RedemptionOut},
        tags=tags,
        summary="Redeem a reward for a customer's points and issue its code",
    )(redeem)
    router.post(
        "/customers/{path:external_id}/goodwill-rewards",
        response={201: RedemptionOut},
        tags=tags,
        summary="Give a customer a reward's code without taking points (goodwill)",
    )(give)
    router.get(
        "/customers/{path:external_id}/redemptions",
        response=list[RedemptionOut],
        tags=tags,
        summary="A customer's redeemed rewards, newest first",
    )(customer_redemptions)
    router.post(
        "/redemptions/{redemption_id}/cancel",
        response=RedemptionOut,
        tags=tags,
        summary="Cancel an unused redemption; its points return",
    )(cancel)
