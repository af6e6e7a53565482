from aftersale.timeline.models import Event
from aftersale.timeline.services import record_event
from tests.factories import OrderFactory


def test_it_records_an_event_on_the_customers_timeline(shop_a):
    order = OrderFactory(shop=shop_a.shop)
    event = record_event(
        shop_a.shop,
        "order.placed",
        subject=order,
        customer=order.customer,
        payload={"number": order.number},
        occurred_at=order.placed_at,
    )
    assert list(Event.objects.for_shop(shop_a.shop).for_customer(order.customer)) == [event]
    assert (event.subject_type, event.subject_id) == ("order", order.pk)
