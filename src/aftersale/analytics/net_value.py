r"""Revenue and margin per customer after returns, return shipping and unclaimed parcels.

Per customer:

* ``gross_revenue`` — value of everything ordered;
* ``returned_revenue`` — value refunded for returned goods and unclaimed parcels;
* ``net_revenue = gross_revenue - returned_revenue``;
* ``gross_margin = gross_revenue - cost of goods ordered``;
* ``net_margin = net_revenue - cost of goods kept - return shipping - unclaimed-parcel costs``.

Returned goods are assumed to go back to stock, so their cost is recovered at the order's own
cost ratio (``cost / amount`` of the order). Where the cost of goods is unknown, the
``default_margin_rate`` supplies it (``cost = amount * (1 - rate)``).

Segments (thresholds in :class:`ReturnerThresholds`, all documented in docs/analytics.md):

* ``serial_returner`` — at least ``min_orders`` orders and at least ``return_rate`` of the
  ordered value returned, or at least ``unclaimed_parcels`` parcels left unclaimed;
* ``profitable`` — otherwise, with ``net_margin > 0``;
* ``unprofitable`` — otherwise, with ``net_margin <= 0``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aftersale.analytics.identifiers import index_of, total_by
from aftersale.analytics.orders import OrderLines, OrderTotals, Returns

FloatArray = npt.NDArray[np.float64]
AnyArray = npt.NDArray[np.generic]

SERIAL_RETURNER = "serial_returner"
PROFITABLE = "profitable"
UNPROFITABLE = "unprofitable"


@dataclass(frozen=True)
class ReturnerThresholds:
    """When a customer counts as a serial returner (see the module docstring)."""

    min_orders: int = 3
    return_rate: float = 0.5
    unclaimed_parcels: int = 2


@dataclass(frozen=True)
class CustomerNetValue:
    """Per-customer money after returns; all arrays are aligned with ``customer_id`` (sorted)."""

    customer_id: AnyArray
    orders: FloatArray
    gross_revenue: FloatArray
    returned_revenue: FloatArray
    net_revenue: FloatArray
    return_shipping_cost: FloatArray
    unclaimed_parcels: FloatArray
    unclaimed_cost: FloatArray
    gross_margin: FloatArray
    net_margin: FloatArray
    return_rate: FloatArray
    segment: npt.NDArray[np.str_]

    def __len__(self) -> int:
        return int(self.customer_id.size)


def customer_net_value(
    orders: OrderLines,
    returns: Returns | None = None,
    *,
    default_margin_rate: float = 1.0,
    thresholds: ReturnerThresholds | None = None,
) -> CustomerNetValue:
    """Gross and net revenue and margin, return rate and value segment per customer.

    Parameters
    ----------
    orders : OrderLines
        Order lines; ``cost`` may be NaN where unknown.
    returns : Returns, optional
        Returned lines and unclaimed parcels; rows for unknown orders raise ``ValueError``.
    default_margin_rate : float
        Gross margin rate used where the cost of goods is unknown (1.0: no cost data, margin
        equals revenue).
    thresholds : ReturnerThresholds, optional
        Serial-returner thresholds.

    Examples
    --------
    >>> lines = OrderLines.from_arrays(["o1", "o2"], ["c1", "c1"], ["2024-01-01", "2024-02-01"],
    ...                                [100.0, 50.0], cost=[60.0, 30.0])
    >>> back = Returns.from_arrays(["o1"], [100.0], shipping_cost=[5.0])
    >>> value = customer_net_value(lines, back)
    >>> float(value.net_revenue[0]), float(value.net_margin[0]), float(value.return_rate[0])
    (50.0, 15.0, 0.6666666666666666)
    """
    return net_value_of_orders(
        OrderTotals.from_lines(orders, default_margin_rate), returns, thresholds=thresholds
    )


def net_value_of_orders(
    totals: OrderTotals,
    returns: Returns | None = None,
    *,
    thresholds: ReturnerThresholds | None = None,
) -> CustomerNetValue:
    """:func:`customer_net_value` from orders already added up from their lines."""
    limits = thresholds or ReturnerThresholds()
    back = returns if returns is not None else Returns.empty()
    order_ids, order_amount, order_cost = totals.order_id, totals.amount, totals.cost
    order_customer, customer_ids = totals.customer, totals.customer_id
    n_customers = customer_ids.size

    # returns: map to orders, fill "whole order" amounts for unclaimed parcels
    position, found = index_of(back.order_id, order_ids)
    if not np.all(found):
        missing = back.order_id[~found][0]
        raise ValueError(f"a return refers to order {missing!r}, which is not in the orders")
    returned = np.where(np.isnan(back.amount), order_amount[position], back.amount)
    with np.errstate(divide="ignore", invalid="ignore"):
        cost_ratio = np.where(order_amount > 0, order_cost / order_amount, 0.0)
    recovered_cost = returned * cost_ratio[position]
    ret_customer = order_customer[position]

    def per_customer(codes: npt.NDArray[np.int64], values: FloatArray) -> FloatArray:
        return total_by(codes, values, n_customers)

    gross = per_customer(order_customer, order_amount)
    goods_cost = per_customer(order_customer, order_cost)
    returned_revenue = per_customer(ret_customer, returned)
    recovered = per_customer(ret_customer, recovered_cost)
    shipping = per_customer(ret_customer, back.shipping_cost)
    unclaimed_cost = per_customer(ret_customer, np.where(back.unclaimed, back.unclaimed_cost, 0.0))
    unclaimed_orders = np.unique(position[back.unclaimed])
    unclaimed_count = per_customer(order_customer[unclaimed_orders], np.ones(unclaimed_orders.size))
    order_count = np.bincount(order_customer, minlength=n_customers).astype(np.float64)

    net = gross - returned_revenue
    net_margin = net - (goods_cost - recovered) - shipping - unclaimed_cost
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(gross > 0, returned_revenue / gross, 0.0)
    serial = ((order_count >= limits.min_orders) & (rate >= limits.return_rate)) | (
        unclaimed_count >= limits.unclaimed_parcels
    )
    segment = np.where(serial, SERIAL_RETURNER, np.where(net_margin > 0, PROFITABLE, UNPROFITABLE))
    return CustomerNetValue(
        customer_id=customer_ids,
        orders=order_count,
        gross_revenue=gross,
        returned_revenue=returned_revenue,
        net_revenue=net,
        return_shipping_cost=shipping,
        unclaimed_parcels=unclaimed_count,
        unclaimed_cost=unclaimed_cost,
        gross_margin=gross - goods_cost,
        net_margin=net_margin,
        return_rate=rate,
        segment=np.asarray(segment, dtype=np.str_),
    )
