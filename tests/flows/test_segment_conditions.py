"""Flow conditions built on segments: serial returners, profitable customers, churn risk and
customers who keep leaving parcels unclaimed."""

from datetime import UTC, datetime, timedelta

from aftersale.delivery.models import ShipmentStatus
from aftersale.flows.conditions import CONDITIONS
from aftersale.flows.models import FlowRun
from aftersale.insights.models import CustomerValue
from tests.factories import CustomerFactory, OrderFactory, ShipmentFactory

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def holds(name, customer):
    run = FlowRun(shop=customer.shop, customer=customer)
    return CONDITIONS[name].holds(run, NOW)


def valued(customer, rfm, value):
    CustomerValue.objects.create(
        shop=customer.shop,
        customer=customer,
        computed_at=NOW,
        rfm_segment=rfm,
        value_segment=value,
    )


def test_value_segments_gate_a_flow(shop_a):
    returner = CustomerFactory(shop=shop_a.shop)
    valued(returner, "loyal", "serial_returner")
    keeper = CustomerFactory(shop=shop_a.shop)
    valued(keeper, "at_risk", "profitable")
    unknown = CustomerFactory(shop=shop_a.shop)
    assert not holds("not_serial_returner", returner)
    assert holds("not_serial_returner", keeper) and holds("not_serial_returner", unknown)
    assert holds("profitable", keeper) and not holds("profitable", returner)
    assert holds("churn_risk", keeper) and not holds("churn_risk", returner)
    assert not holds("profitable", unknown) and not holds("churn_risk", unknown)


def test_customers_who_leave_parcels_unclaimed_form_a_segment(shop_a, shop_b):
    customer = CustomerFactory(shop=shop_a.shop)
    for days in (20, 200):
        ShipmentFactory(
            order=OrderFactory(shop=shop_a.shop, customer=customer),
            status=ShipmentStatus.RETURNED_TO_SENDER,
            returned_at=NOW - timedelta(days=days),
        )
    other = CustomerFactory(shop=shop_a.shop)
    assert holds("unclaimed_flagged", customer) and not holds("not_unclaimed_flagged", customer)
    assert not holds("unclaimed_flagged", other) and holds("not_unclaimed_flagged", other)
