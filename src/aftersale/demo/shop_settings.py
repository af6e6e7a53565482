"""The demo shops' own settings, matching what the simulator assumed when it made their history:
the unclaimed-parcel fee it kept, the return fee it charged, free exchanges."""

from __future__ import annotations

from aftersale.core.models import Shop
from aftersale.demo.simulation import ShopSpec
from aftersale.returns.services import save_return_policy
from aftersale.returns.withdrawals import save_withdrawal_settings


def apply_shop_settings(shop: Shop, spec: ShopSpec) -> None:
    save_withdrawal_settings(shop, unclaimed_fee_cents=spec.unclaimed_fee_cents)
    save_return_policy(shop, drop_off_fee_cents=spec.return_fee_cents, free_exchanges=True)
