"""Order lines and returns as column arrays: the input of every per-customer metric.

Amounts are in currency units (floats); the shop's integer cents divide by 100 on the way in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from aftersale.analytics.identifiers import codes_of, total_by
from aftersale.analytics.summary import to_days

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
AnyArray = npt.NDArray[np.generic]


@dataclass(frozen=True)
class OrderLines:
    """What customers bought: one row per order line (or per order, if lines are unknown).

    Attributes
    ----------
    order_id, customer_id : ndarray
        Identifiers (integers or strings). An order belongs to one customer.
    ordered_at : ndarray of datetime64[D]
        Order day.
    amount : ndarray of float
        Line value paid by the customer, in currency units.
    cost : ndarray of float
        Cost of the goods on the line (NaN where unknown).
    sku : ndarray or None
        Product / SKU code of the line, if known.
    quantity : ndarray of float
        Units on the line (1 where unknown).
    """

    order_id: AnyArray
    customer_id: AnyArray
    ordered_at: npt.NDArray[np.datetime64]
    amount: FloatArray
    cost: FloatArray
    sku: AnyArray | None = None
    quantity: FloatArray = field(default_factory=lambda: np.empty(0))

    @classmethod
    def from_arrays(
        cls,
        order_id: npt.ArrayLike,
        customer_id: npt.ArrayLike,
        ordered_at: npt.ArrayLike,
        amount: npt.ArrayLike,
        *,
        cost: npt.ArrayLike | None = None,
        sku: npt.ArrayLike | None = None,
        quantity: npt.ArrayLike | None = None,
    ) -> OrderLines:
        """Build order lines from sequences, checking that the columns line up."""
        amounts = np.asarray(amount, dtype=np.float64)
        n = amounts.size
        costs = np.full(n, np.nan) if cost is None else np.asarray(cost, dtype=np.float64)
        units = np.ones(n) if quantity is None else np.asarray(quantity, dtype=np.float64)
        lines = cls(
            order_id=np.asarray(order_id),
            customer_id=np.asarray(customer_id),
            ordered_at=to_days(ordered_at),
            amount=amounts,
            cost=costs,
            sku=None if sku is None else np.asarray(sku),
            quantity=units,
        )
        columns = [lines.order_id, lines.customer_id, lines.ordered_at, costs, units]
        if lines.sku is not None:
            columns.append(lines.sku)
        if any(column.shape != (n,) for column in columns):
            raise ValueError("all order-line columns must have the same length")
        return lines

    def __len__(self) -> int:
        return int(self.amount.size)


@dataclass(frozen=True)
class Returns:
    """What came back: one row per returned line, or per unclaimed parcel.

    Attributes
    ----------
    order_id : ndarray
        The order the goods came from.
    amount : ndarray of float
        Value refunded for the returned goods (for an unclaimed parcel, NaN means "the whole
        order").
    shipping_cost : ndarray of float
        Return shipping paid by the shop for this return (0 if the customer paid it).
    unclaimed : ndarray of bool
        The parcel was never picked up and went back to the shop.
    unclaimed_cost : ndarray of float
        The shop's cost of the unclaimed parcel (both-way shipping, handling), 0 if unknown.
    sku : ndarray or None
        Returned product, if known (needed for per-product return statistics).
    reason : ndarray or None
        Return reason as given by the customer, if known.
    quantity : ndarray of float
        Units returned (1 where unknown).
    """

    order_id: AnyArray
    amount: FloatArray
    shipping_cost: FloatArray
    unclaimed: BoolArray
    unclaimed_cost: FloatArray
    sku: AnyArray | None = None
    reason: AnyArray | None = None
    quantity: FloatArray = field(default_factory=lambda: np.empty(0))

    @classmethod
    def from_arrays(
        cls,
        order_id: npt.ArrayLike,
        amount: npt.ArrayLike,
        *,
        shipping_cost: npt.ArrayLike | None = None,
        unclaimed: npt.ArrayLike | None = None,
        unclaimed_cost: npt.ArrayLike | None = None,
        sku: npt.ArrayLike | None = None,
        reason: npt.ArrayLike | None = None,
        quantity: npt.ArrayLike | None = None,
    ) -> Returns:
        """Build returns from sequences; missing optional columns default to 0 / False."""
        amounts = np.asarray(amount, dtype=np.float64)
        n = amounts.size
        returns = cls(
            order_id=np.asarray(order_id),
            amount=amounts,
            shipping_cost=_or_zeros(shipping_cost, n),
            unclaimed=np.zeros(n, dtype=bool)
            if unclaimed is None
            else np.asarray(unclaimed, dtype=bool),
            unclaimed_cost=_or_zeros(unclaimed_cost, n),
            sku=None if sku is None else np.asarray(sku),
            reason=None if reason is None else np.asarray(reason),
            quantity=np.ones(n) if quantity is None else np.asarray(quantity, dtype=np.float64),
        )
        if np.any(np.isnan(amounts) & ~returns.unclaimed):
            raise ValueError("a returned amount may be left out only for unclaimed parcels")
        return returns

    @classmethod
    def empty(cls) -> Returns:
        """No returns at all."""
        return cls.from_arrays(np.empty(0, dtype=np.int64), np.empty(0))

    def __len__(self) -> int:
        return int(self.amount.size)


def conflicting_order(
    order_code: IntArray, per_order: npt.NDArray[np.generic], per_line: npt.NDArray[np.generic]
) -> int | None:
    """The first line whose value differs from the one ``per_order`` kept for its order."""
    differs = np.flatnonzero(per_order[order_code] != per_line)
    return int(differs[0]) if differs.size else None


def number_list(numbers: npt.ArrayLike, limit: int = 6) -> str:
    """``2 and 4``, ``2, 3 and 4``, or the first few and how many more."""
    values = [str(int(n)) for n in np.asarray(numbers).ravel()]
    if len(values) > limit:
        return f"{', '.join(values[:limit])} and {len(values) - limit} more"
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} and {values[-1]}"


def _or_zeros(values: npt.ArrayLike | None, n: int) -> FloatArray:
    if values is None:
        return np.zeros(n)
    return np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)


@dataclass(frozen=True)
class OrderTotals:
    """One row per order, built from its lines: the customer, the day and the totals.

    Attributes
    ----------
    order_id : ndarray
        Distinct order ids, sorted.
    customer_id : ndarray
        Distinct customer ids, sorted.
    customer : ndarray of int
        Position of each order's customer in ``customer_id``.
    ordered_at : ndarray of datetime64[D]
        Order day (the lines of an order share it).
    amount, cost : ndarray of float
        Order value and cost of goods (lines without cost at the default margin rate).
    """

    order_id: AnyArray
    customer_id: AnyArray
    customer: IntArray
    ordered_at: npt.NDArray[np.datetime64]
    amount: FloatArray
    cost: FloatArray

    @classmethod
    def from_lines(cls, lines: OrderLines, default_margin_rate: float = 1.0) -> OrderTotals:
        """Add up the lines of each order (linear time for integer ids)."""
        line_cost = np.where(
            np.isnan(lines.cost), lines.amount * (1.0 - default_margin_rate), lines.cost
        )
        order_ids, order_code = codes_of(lines.order_id)
        customer_ids, customer_code = codes_of(lines.customer_id)
        customer = np.zeros(order_ids.size, dtype=np.int64)
        customer[order_code] = customer_code
        day = np.zeros(order_ids.size, dtype="datetime64[D]")
        day[order_code] = lines.ordered_at
        for what, per_order, per_line in (
            ("customers", customer, customer_code),
            ("order days", day, lines.ordered_at),
        ):
            conflict = conflicting_order(order_code, per_order, per_line)
            if conflict is not None:
                rows = np.flatnonzero(order_code == order_code[conflict])
                raise ValueError(
                    f"order '{order_ids[order_code[conflict]]}' has lines with different {what}: "
                    f"lines {number_list(rows + 1)} (counting from 1); an order belongs to one "
                    "customer and one day"
                )
        return cls(
            order_id=order_ids,
            customer_id=customer_ids,
            customer=customer,
            ordered_at=day,
            amount=total_by(order_code, lines.amount, order_ids.size),
            cost=total_by(order_code, line_cost, order_ids.size),
        )
