"""Per-product return statistics: how often each SKU comes back, how much, and why.

Return rates are by value (refunded amount / sold amount) and by units. Unclaimed parcels are
left out: a parcel that was never picked up says nothing about the product inside it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aftersale.analytics.identifiers import total_by
from aftersale.analytics.orders import OrderLines, Returns

FloatArray = npt.NDArray[np.float64]
AnyArray = npt.NDArray[np.generic]


@dataclass(frozen=True)
class ProductReturns:
    """Per-SKU sales and returns, sorted by SKU."""

    sku: AnyArray
    orders: FloatArray
    units_sold: FloatArray
    revenue: FloatArray
    units_returned: FloatArray
    returned_amount: FloatArray
    return_rate: FloatArray
    unit_return_rate: FloatArray
    reasons: list[dict[str, int]]

    def top_reason(self, index: int) -> str:
        """The most common return reason of the ``index``-th product ("" if none)."""
        reasons = self.reasons[index]
        return max(reasons, key=lambda reason: reasons[reason]) if reasons else ""

    def __len__(self) -> int:
        return int(self.sku.size)


def product_returns(orders: OrderLines, returns: Returns | None = None) -> ProductReturns:
    """Sales and returns per SKU.

    Returns without a SKU, unclaimed parcels and SKUs never sold are not counted.

    Examples
    --------
    >>> lines = OrderLines.from_arrays(["o1", "o1", "o2"], ["c", "c", "d"],
    ...     ["2024-01-01"] * 3, [30.0, 20.0, 30.0], sku=["shirt", "sock", "shirt"])
    >>> back = Returns.from_arrays(["o1"], [30.0], sku=["shirt"], reason=["too small"])
    >>> stats = product_returns(lines, back)
    >>> stats.sku.tolist(), stats.return_rate.tolist(), stats.top_reason(0)
    (['shirt', 'sock'], [0.5, 0.0], 'too small')
    """
    if orders.sku is None:
        raise ValueError("per-product statistics need a sku column in the orders")
    skus, code = np.unique(orders.sku, return_inverse=True)
    code = code.ravel()
    n = skus.size
    units = orders.quantity if orders.quantity.size else np.ones(len(orders))
    revenue = total_by(code, orders.amount, n)
    units_sold = total_by(code, units, n)
    order_ids, order_code = np.unique(orders.order_id, return_inverse=True)
    sku_order = np.unique(code * np.int64(order_ids.size) + order_code.ravel())
    orders_per_sku = np.bincount(sku_order // order_ids.size, minlength=n).astype(np.float64)
    units_returned = np.zeros(n)
    returned_amount = np.zeros(n)
    reasons: list[Counter[str]] = [Counter() for _ in range(n)]
    back = returns if returns is not None else Returns.empty()
    if back.sku is not None and len(back):
        usable = ~back.unclaimed
        position = np.searchsorted(skus, back.sku)
        position = np.minimum(position, n - 1)
        usable &= skus[position] == back.sku
        ret_units = back.quantity if back.quantity.size else np.ones(len(back))
        amounts = np.nan_to_num(back.amount)
        units_returned = total_by(position[usable], ret_units[usable], n)
        returned_amount = total_by(position[usable], amounts[usable], n)
        if back.reason is not None:
            for pos, reason in zip(position[usable], back.reason[usable], strict=True):
                text = str(reason).strip()
                if text:
                    reasons[int(pos)][text] += 1
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(revenue > 0, returned_amount / revenue, 0.0)
        unit_rate = np.where(units_sold > 0, units_returned / units_sold, 0.0)
    return ProductReturns(
        sku=skus,
        orders=orders_per_sku,
        units_sold=units_sold,
        revenue=revenue,
        units_returned=units_returned,
        returned_amount=returned_amount,
        return_rate=rate,
        unit_return_rate=unit_rate,
        reasons=[dict(counter.most_common()) for counter in reasons],
    )
