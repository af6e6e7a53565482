"""Seeds a file database for the worker-crash test (run in a subprocess): one shop (with its
built-in flows) and CRASH_ORDERS (1) orders placed just now, so the worker has that many
thank-yous to send."""

from __future__ import annotations

import os

import django


def main() -> None:
    django.setup()
    from aftersale.timeline import types
    from aftersale.timeline.services import record_event
    from tests.factories import OrderFactory, ShopFactory

    shop = ShopFactory(name="Crash Test Shop", slug="crash")
    for index in range(int(os.environ.get("CRASH_ORDERS", "1"))):
        email = "aino@example.fi" if index == 0 else f"aino{index}@example.fi"
        order = OrderFactory(shop=shop, customer__email=email, number=str(777 + index))
        record_event(shop, types.ORDER_PLACED, subject=order, customer=order.customer)


if __name__ == "__main__":
    main()
