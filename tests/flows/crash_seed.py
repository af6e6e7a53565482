"""Seeds a file database for the worker-crash test (run in a subprocess): one shop (with its
built-in flows) and one order placed just now, so the worker has one thank-you to send."""

from __future__ import annotations

import django


def main() -> None:
    django.setup()
    from aftersale.timeline import types
    from aftersale.timeline.services import record_event
    from tests.factories import OrderFactory, ShopFactory

    shop = ShopFactory(name="Crash Test Shop", slug="crash")
    order = OrderFactory(shop=shop, customer__email="aino@example.fi", number="777")
    record_event(shop, types.ORDER_PLACED, subject=order, customer=order.customer)


if __name__ == "__main__":
    main()
