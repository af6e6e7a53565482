"""The deliveries pages: parcels needing attention, the unclaimed report, flagged customers."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersale.delivery.models import ShipmentStatus
from tests.factories import CustomerFactory, OrderFactory, PickupPointFactory, ShipmentFactory


def parcel(shop, status, customer=None, **fields):
    order = OrderFactory(shop=shop, **({"customer": customer} if customer else {}))
    return ShipmentFactory(order=order, status=status, **fields)


def test_waiting_parcels_come_soonest_deadline_first(login, shop_a):
    now = timezone.now()
    later = parcel(shop_a.shop, ShipmentStatus.READY_FOR_PICKUP, held_until=now + timedelta(days=9))
    urgent = parcel(
        shop_a.shop, ShipmentStatus.READY_FOR_PICKUP, held_until=now + timedelta(days=1, hours=2)
    )
    parcel(shop_a.shop, ShipmentStatus.PICKED_UP)
    html = login(shop_a.staff).get(reverse("backoffice:deliveries")).content.decode()
    assert html.index(f'data-shipment="{urgent.pk}"') < html.index(f'data-shipment="{later.pk}"')
    assert html.count("data-shipment=") == 2
    assert '<span class="badge bad">1</span>' in html


@pytest.mark.parametrize(
    "show, status",
    [("failed", ShipmentStatus.DELIVERY_FAILED), ("returned", ShipmentStatus.RETURNED_TO_SENDER)],
)
def test_it_lists_failed_and_returned_parcels(login, shop_a, show, status):
    mine = parcel(shop_a.shop, status)
    parcel(shop_a.shop, ShipmentStatus.READY_FOR_PICKUP)
    html = login(shop_a.staff).get(reverse("backoffice:deliveries") + f"?show={show}").content
    assert html.decode().count("data-shipment=") == 1
    assert f'data-shipment="{mine.pk}"'.encode() in html


def test_it_shows_no_other_shops_parcels(login, shop_a, shop_b):
    now = timezone.now()
    foreign = parcel(shop_b.shop, ShipmentStatus.READY_FOR_PICKUP, held_until=now)
    client = login(shop_a.staff)
    for show in ("waiting", "failed", "returned"):
        html = client.get(reverse("backoffice:deliveries") + f"?show={show}").content.decode()
        assert f'data-shipment="{foreign.pk}"' not in html
        assert foreign.order.number not in html


def test_the_unclaimed_report_counts_the_last_12_months(login, shop_a, shop_b):
    now = timezone.now()
    for i in range(3):
        parcel(shop_a.shop, ShipmentStatus.PICKED_UP, shipped_at=now - timedelta(days=10 + i))
    parcel(
        shop_a.shop,
        ShipmentStatus.RETURNED_TO_SENDER,
        carrier="posti",
        shipped_at=now - timedelta(days=20),
        returned_at=now - timedelta(days=3),
    )
    parcel(shop_a.shop, ShipmentStatus.PICKED_UP, shipped_at=now - timedelta(days=500))
    parcel(shop_b.shop, ShipmentStatus.RETURNED_TO_SENDER, shipped_at=now - timedelta(days=5))
    html = login(shop_a.staff).get(reverse("backoffice:unclaimed_report")).content.decode()
    assert 'data-figure="parcels">4<' in html
    assert 'data-figure="unclaimed">1<' in html
    assert 'data-figure="rate">25.0 %<' in html
    assert "<svg role='img'" in html


def test_flagged_customers_and_the_customer_page_warn_about_repeat_unclaimed(login, shop_a):
    now = timezone.now()
    habitual = CustomerFactory(shop=shop_a.shop, last_name="Noutamaton")
    once = CustomerFactory(shop=shop_a.shop, last_name="Kerran")
    for days in (30, 200):
        parcel(
            shop_a.shop,
            ShipmentStatus.RETURNED_TO_SENDER,
            customer=habitual,
            returned_at=now - timedelta(days=days),
        )
    parcel(
        shop_a.shop,
        ShipmentStatus.RETURNED_TO_SENDER,
        customer=once,
        returned_at=now - timedelta(days=30),
    )
    client = login(shop_a.staff)
    html = client.get(reverse("backoffice:flagged_customers")).content.decode()
    assert "Noutamaton" in html and "Kerran" not in html
    page = client.get(reverse("backoffice:customer_detail", args=[habitual.pk])).content.decode()
    assert 'data-flag="unclaimed"' in page and "Left 2 parcels unclaimed" in page
    page = client.get(reverse("backoffice:customer_detail", args=[once.pk])).content.decode()
    assert 'data-flag="unclaimed"' not in page


def test_the_owner_sets_the_cost_of_an_unclaimed_parcel(login, shop_a, shop_b):
    now = timezone.now()
    parcel(shop_a.shop, ShipmentStatus.RETURNED_TO_SENDER, shipped_at=now - timedelta(days=5))
    client = login(shop_a.owner)
    html = client.get(reverse("backoffice:unclaimed_report")).content.decode()
    assert "€18.80" in html  # 6.90 + 6.90 + 5.00 until the shop sets its own
    response = client.post(
        reverse("backoffice:delivery_costs"), {"outbound": "5.50", "back": "7", "handling": "3"}
    )
    assert response.status_code == 302
    html = client.get(reverse("backoffice:unclaimed_report")).content.decode()
    assert 'data-figure="cost">€15.50<' in html
    # Another shop's report keeps the defaults; staff cannot change the figures.
    parcel(shop_b.shop, ShipmentStatus.RETURNED_TO_SENDER, shipped_at=now - timedelta(days=5))
    other = login(shop_b.staff).get(reverse("backoffice:unclaimed_report")).content.decode()
    assert 'data-figure="cost">€18.80<' in other
    assert "Your costs of an unclaimed parcel" not in other
    refused = login(shop_b.staff).post(
        reverse("backoffice:delivery_costs"), {"outbound": "0", "back": "0", "handling": "0"}
    )
    assert refused.status_code == 403


def test_bad_costs_are_refused_with_a_message(login, shop_a):
    client = login(shop_a.owner)
    response = client.post(
        reverse("backoffice:delivery_costs"),
        {"outbound": "-1", "back": "x", "handling": "3"},
        follow=True,
    )
    assert "Give each cost as euros" in response.content.decode()


def test_parcels_name_their_carrier_and_pickup_point_as_people_write_them(login, shop_a):
    """Measured: "db_schenker" and "K-Market Kamppi (posti)" on the deliveries list."""
    point = PickupPointFactory(shop=shop_a.shop, carrier="posti", name="K-Market Kamppi")
    parcel(
        shop_a.shop,
        ShipmentStatus.READY_FOR_PICKUP,
        carrier="db_schenker",
        pickup_point=point,
        held_until=timezone.now() + timedelta(days=2),
    )
    html = login(shop_a.staff).get(reverse("backoffice:deliveries")).content.decode()
    assert "DB Schenker" in html and "K-Market Kamppi (Posti)" in html
    assert "db_schenker" not in html and "(posti)" not in html


def test_the_unclaimed_report_costs_the_same_queries_for_few_or_many_parcels(
    login, shop_a, django_assert_num_queries
):
    now = timezone.now()

    def parcels(count):
        for i in range(count):
            status = ShipmentStatus.RETURNED_TO_SENDER if i % 2 else ShipmentStatus.PICKED_UP
            parcel(shop_a.shop, status, shipped_at=now - timedelta(days=10 + i))

    client = login(shop_a.staff)
    parcels(2)
    client.get(reverse("backoffice:unclaimed_report"))  # counts and stores the past days
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("backoffice:unclaimed_report"))
    few_queries = len(few)  # the next request resets the connection's query log
    parcels(40)
    client.get(reverse("backoffice:unclaimed_report"))  # counts the changed days again
    with django_assert_num_queries(few_queries) as many:
        html = client.get(reverse("backoffice:unclaimed_report")).content.decode()
    # Past days come from the stored counts, added up once and then kept in the cache; the
    # parcels table is read only for what changed since they were checked, the partial first
    # day and today (parcels and unclaimed ones by customer, each) and the top customers'
    # parcel counts.
    passes = [q for q in many.captured_queries if 'FROM "delivery_shipment"' in q["sql"]]
    assert len(passes) == 6
    stored = [q for q in many.captured_queries if 'FROM "delivery_unclaimed' in q["sql"]]
    assert len(stored) == 2  # the days checked, the top customers' stored rows
    assert 'data-figure="parcels">42<' in html
    assert 'data-figure="unclaimed">21<' in html


def test_the_list_and_its_tab_counts_take_a_fixed_number_of_queries(
    login, shop_a, django_assert_num_queries
):
    for status in ShipmentStatus.READY_FOR_PICKUP, ShipmentStatus.RETURNED_TO_SENDER:
        for _ in range(3):
            parcel(shop_a.shop, status, held_until=timezone.now() + timedelta(days=2))
    client = login(shop_a.staff)
    # Session, user, memberships; the three tabs' counts in one; the page's count and rows.
    with django_assert_num_queries(6):
        html = client.get(reverse("backoffice:deliveries")).content.decode()
    assert html.count("data-shipment=") == 3


# The task worker closes connections it finds inside a transaction (PostgreSQL then has none
# left for the test), so this test runs in real transactions, like the worker does.
@pytest.mark.django_db(transaction=True)
def test_a_long_uncounted_history_is_counted_by_the_worker_not_by_the_page(
    login, shop_a, shop_b, monkeypatch
):
    """A new installation's first view of the report at 500,000 parcels counted a year of
    days inside the request and was killed at the web server's 30-second limit, again on
    every try (measured on the scale demo): past a limit, the page says the report is being
    prepared, queues the counting once, and the worker stores the days a month at a time."""
    from aftersale.backoffice.views import deliveries
    from aftersale.core.worker import run_queued_tasks
    from aftersale.delivery.models import UnclaimedDay

    monkeypatch.setattr(deliveries, "PARCELS_COUNTED_IN_VIEW", 3)
    now = timezone.now()
    for i in range(5):
        parcel(shop_a.shop, ShipmentStatus.PICKED_UP, shipped_at=now - timedelta(days=40 + 30 * i))
    parcel(shop_b.shop, ShipmentStatus.PICKED_UP, shipped_at=now - timedelta(days=40))
    client = login(shop_a.staff)
    url = reverse("backoffice:unclaimed_report")

    html = client.get(url).content.decode()
    assert "data-counting" in html and "0 of 364 days are counted" in html
    assert not UnclaimedDay.objects.for_shop(shop_a.shop).exists(), "the page stored nothing"
    client.get(url)  # a reload does not queue the work again
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.count() == 1

    run_queued_tasks()
    assert UnclaimedDay.objects.for_shop(shop_a.shop).count() == 364
    assert not UnclaimedDay.objects.for_shop(shop_b.shop).exists(), "only the shop that asked"
    html = client.get(url).content.decode()
    assert "data-counting" not in html
    assert 'data-figure="parcels">5<' in html
    # The other shop's few parcels are counted by its own first view, as before.
    html = login(shop_b.owner).get(url).content.decode()
    assert 'data-figure="parcels">1<' in html


def test_the_worker_stops_between_months_of_counting_and_keeps_what_it_stored(shop_a, monkeypatch):
    from aftersale.core import worker
    from aftersale.delivery.models import UnclaimedDay
    from aftersale.delivery.services import store_report_days

    now = timezone.now()
    parcel(shop_a.shop, ShipmentStatus.PICKED_UP, shipped_at=now - timedelta(days=100))
    checks = 0

    def stop_on_the_third_check():
        nonlocal checks
        checks += 1
        if checks == 3:
            raise worker.Stopped

    monkeypatch.setattr(worker, "check_stop", stop_on_the_third_check)
    with pytest.raises(worker.Stopped):
        store_report_days(shop_a.shop, now=now)
    monkeypatch.undo()
    assert UnclaimedDay.objects.for_shop(shop_a.shop).count() == 62  # two whole months
    store_report_days(shop_a.shop, now=now)
    assert UnclaimedDay.objects.for_shop(shop_a.shop).count() == 364
