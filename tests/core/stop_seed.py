"""Seeds a file database for the worker-stop test (run in a subprocess): one shop with 30
parcels that came back unclaimed just now, so the worker has 30 cases to open one by one."""

from __future__ import annotations

import django

PARCELS = 30


def main() -> None:
    django.setup()
    from aftersale.timeline import types
    from aftersale.timeline.services import record_event
    from tests.factories import PaymentFactory, ShipmentFactory, ShopFactory

    shop = ShopFactory(name="Stop Test Shop", slug="stop")
    for _ in range(PARCELS):
        parcel = ShipmentFactory(order__shop=shop, status="returned_to_sender")
        PaymentFactory(order=parcel.order)
        record_event(shop, types.SHIPMENT_RETURNED_TO_SENDER, subject=parcel)


if __name__ == "__main__":
    main()
