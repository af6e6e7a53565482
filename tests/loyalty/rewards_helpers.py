"""Builders for the rewards and referral tests."""

from __future__ import annotations

from datetime import UTC, datetime

from aftersale.loyalty import rewards, services
from aftersale.loyalty.reward_models import Reward

# A Monday (the same moment as the ledger tests' clock).
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def running_programme(shop):
    """A programme running since a week before START, earning 2 points per euro."""
    services.save_programme(shop, enabled=True, starts_at=datetime(2026, 10, 26, tzinfo=UTC))
    services.save_rule(shop, points_per_euro=2)
    return shop


def with_points(shop, customer, points: int):
    """Give ``customer`` available points (a staff adjustment)."""
    services.adjust(shop, customer, points=points, reason="test balance", staff_user=None)
    return customer


def pool_reward(shop, codes=("CODE-001", "CODE-002"), **fields) -> Reward:
    values = {
        "name": "5 € off",
        "kind": Reward.Kind.FIXED_AMOUNT,
        "amount_cents": 500,
        "points_cost": 500,
        "code_source": Reward.CodeSource.POOL,
    }
    values.update(fields)
    reward = rewards.save_reward(shop, **values)
    if codes:
        rewards.add_codes(shop, reward, list(codes))
    return reward


def platform_reward(shop, **fields) -> Reward:
    values = {
        "name": "Free shipping",
        "kind": Reward.Kind.FREE_SHIPPING,
        "points_cost": 300,
        "code_source": Reward.CodeSource.PLATFORM,
    }
    values.update(fields)
    return rewards.save_reward(shop, **values)
