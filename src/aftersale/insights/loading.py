"""Read a shop's orders, returns and unclaimed parcels into the analytics library's arrays.

Amounts are in currency units **excluding VAT**, because margins are: a customer's value is
what the shop keeps after VAT, returns and costs.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from aftersale.analytics.orders import OrderLines, Returns
from aftersale.core.models import Shop
from aftersale.delivery.models import Shipment, ShipmentStatus
from aftersale.delivery.selectors import UnclaimedCosts, unclaimed_costs_for
from aftersale.orders.models import Order, OrderLine
from aftersale.privacy.models import Erasure
from aftersale.returns.models import Resolution, ReturnLine, ReturnState

# Return states in which the goods are back (or the refund is decided) and the sale is lost.
RETURNED_STATES = (
    ReturnState.RECEIVED,
    ReturnState.INSPECTED,
    ReturnState.REFUNDED,
    ReturnState.CREDITED,
    ReturnState.CLOSED,
)


def _local_days(values: list[datetime], zone: ZoneInfo) -> np.ndarray:
    return np.array([v.astimezone(zone).date() for v in values], dtype="datetime64[D]")


def erased_customers(shop: Shop):
    """Customers whose data was erased: analytics are computed without them."""
    return Erasure.objects.for_shop(shop).filter(state=Erasure.State.DONE).values("customer_id")


def load_order_lines(shop: Shop, *, until: datetime) -> OrderLines:
    rows = list(
        OrderLine.objects.for_shop(shop)
        .filter(order__placed_at__lte=until)
        .exclude(order__customer_id__in=erased_customers(shop))
        .exclude(order__status=Order.Status.CANCELLED)
        .values_list(
            "order_id",
            "order__customer_id",
            "order__placed_at",
            "total_cents",
            "vat_cents",
            "unit_cost_cents",
            "quantity",
            "variant__product_id",
        )
        .order_by()
    )
    if not rows:
        return OrderLines.from_arrays([], [], np.array([], dtype="datetime64[D]"), [])
    order_id, customer_id, placed_at, total, vat, unit_cost, quantity, product = zip(
        *rows, strict=True
    )
    quantity_a = np.asarray(quantity, dtype=np.float64)
    cost = np.array([np.nan if c is None else c for c in unit_cost], dtype=np.float64)
    return OrderLines.from_arrays(
        order_id,
        customer_id,
        _local_days(list(placed_at), ZoneInfo(shop.time_zone)),
        (np.asarray(total, dtype=np.float64) - np.asarray(vat, dtype=np.float64)) / 100,
        cost=cost * quantity_a / 100,
        sku=np.array([-1 if p is None else p for p in product], dtype=np.int64),
        quantity=quantity_a,
    )


def load_returns(
    shop: Shop, *, until: datetime, unclaimed_costs: UnclaimedCosts | None = None
) -> Returns:
    """Returned lines (value excluding VAT) and unclaimed parcels, one row each.

    An unclaimed parcel costs the shop both shipping legs and handling (``UnclaimedCosts``,
    per carrier where the shop has set it).
    """
    costs = unclaimed_costs or unclaimed_costs_for(shop)
    lines = list(
        ReturnLine.objects.for_shop(shop)
        .filter(return_request__state__in=RETURNED_STATES, return_request__requested_at__lte=until)
        .exclude(return_request__resolution=Resolution.EXCHANGE)
        .exclude(return_request__customer_id__in=erased_customers(shop))
        .values_list(
            "return_request_id",
            "order_line__order_id",
            "quantity",
            "order_line__quantity",
            "order_line__total_cents",
            "order_line__vat_cents",
            "order_line__variant__product_id",
            "reason",
            "return_request__return_shipping_cost_cents",
        )
        .order_by("return_request_id", "id")
    )
    order_ids, amounts, shipping, products, reasons, units = [], [], [], [], [], []
    seen_requests: set[int] = set()
    for request_id, order_id, qty, bought, total, vat, product, reason, cost in lines:
        order_ids.append(order_id)
        amounts.append((total - vat) * qty / max(bought, 1) / 100)
        # A request's return shipping is counted once, on its first line.
        shipping.append(0 if request_id in seen_requests else cost / 100)
        seen_requests.add(request_id)
        products.append(-1 if product is None else product)
        reasons.append(reason)
        units.append(qty)
    unclaimed = list(
        Shipment.objects.for_shop(shop)
        .filter(status=ShipmentStatus.RETURNED_TO_SENDER, returned_at__lte=until)
        .exclude(order__customer_id__in=erased_customers(shop))
        .values_list("order_id", "carrier")
        .order_by("order_id")
    )
    unclaimed_orders = [order_id for order_id, _ in unclaimed]
    unclaimed_cents = [costs.for_carrier(carrier).per_parcel_cents for _, carrier in unclaimed]
    n_unclaimed = len(unclaimed_orders)
    return Returns.from_arrays(
        [*order_ids, *unclaimed_orders],
        [*amounts, *([np.nan] * n_unclaimed)],
        shipping_cost=[*shipping, *([0.0] * n_unclaimed)],
        unclaimed=[False] * len(order_ids) + [True] * n_unclaimed,
        unclaimed_cost=[0.0] * len(order_ids) + [cents / 100 for cents in unclaimed_cents],
        sku=np.asarray([*products, *([-1] * n_unclaimed)], dtype=np.int64),
        reason=np.asarray([*reasons, *(["unclaimed"] * n_unclaimed)], dtype=object),
        quantity=[*units, *([1] * n_unclaimed)],
    )
