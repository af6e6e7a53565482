"""The unclaimed report's stored days: what it reads from them equals a direct count of the
parcels, also after a parcel or its order changes; a fixed number of queries; one shop's
stored days never count in another's; on PostgreSQL no query scans the whole parcels table."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersale.core.bulk import insert_rows
from aftersale.delivery.models import Shipment, UnclaimedByCustomer, UnclaimedCount, UnclaimedDay
from aftersale.delivery.models import ShipmentStatus as S
from aftersale.delivery.selectors import (
    UnclaimedCosts,
    flagged_customers,
    unclaimed_by,
    unclaimed_report,
    unclaimed_summary,
)
from aftersale.orders.models import Customer, Order
from tests.factories import CustomerFactory, OrderFactory, PickupPointFactory, ShipmentFactory

COSTS = UnclaimedCosts(per_carrier={"matkahuolto": UnclaimedCosts(500, 500, 500)})
STATUSES = [S.IN_TRANSIT, S.READY_FOR_PICKUP, S.PICKED_UP, S.DELIVERED, S.RETURNED_TO_SENDER,
            S.RETURNED_TO_SENDER, S.DELIVERY_FAILED]  # fmt: skip


def parcels(shop, count, seed=7, *, days=400):
    """``count`` parcels over the last ``days`` days (today included), of four customers."""
    rng = random.Random(seed)
    customers = [CustomerFactory(shop=shop) for _ in range(4)]
    points = [PickupPointFactory(shop=shop) for _ in range(3)]
    now = timezone.now()
    made = []
    for _ in range(count):
        status = rng.choice(STATUSES)
        method = rng.choice(["pickup_point", "parcel_locker", "home"])
        shipped = now - timedelta(minutes=rng.randint(0, days * 24 * 60))
        made.append(
            ShipmentFactory(
                shop=shop,
                order=OrderFactory(
                    shop=shop, customer=rng.choice(customers), delivery_method=method
                ),
                carrier=rng.choice(["posti", "matkahuolto"]),
                status=status,
                pickup_point=rng.choice(points) if method != "home" else None,
                shipped_at=shipped,
                returned_at=shipped + timedelta(days=16)
                if status == S.RETURNED_TO_SENDER
                else None,
            )
        )
    return made


def assert_equals_a_direct_count(shop, since, top=3, costs=COSTS):
    """The report (stored days and live parts) equals counting every parcel of the period."""
    report = unclaimed_report(shop, since=since, costs=costs, top=top)

    def by(dimension):
        return unclaimed_by(shop, dimension, since=since, costs=costs)

    assert report.summary == unclaimed_summary(shop, since=since, costs=costs)
    assert report.months == by("month")
    assert report.by_method == by("delivery_method")
    assert report.by_carrier == by("carrier")
    assert report.by_point == by("pickup_point")[:top]
    assert report.by_customer == [row for row in by("customer") if row.unclaimed][:top]
    return report


def test_the_stored_days_equal_a_direct_count_also_after_a_parcel_changes(shop):
    made = parcels(shop, 80)
    since = timezone.now() - timedelta(days=365)

    first = assert_equals_a_direct_count(shop, since)
    assert UnclaimedDay.objects.for_shop(shop).count() >= 364  # every whole past day stored
    assert UnclaimedCount.objects.for_shop(shop).exists()
    assert UnclaimedByCustomer.objects.for_shop(shop).exists()

    # A parcel sent weeks ago comes back unclaimed: its stored day is counted again.
    waiting = next(
        p for p in made if p.status == S.READY_FOR_PICKUP and p.shipped_at > since + timedelta(2)
    )
    waiting.status, waiting.returned_at = S.RETURNED_TO_SENDER, timezone.now()
    waiting.save()
    second = assert_equals_a_direct_count(shop, since)
    assert second.summary.unclaimed == first.summary.unclaimed + 1

    # Its order changes delivery method: the day is counted again too.
    order = waiting.order
    order.delivery_method = "home" if order.delivery_method != "home" else "parcel_locker"
    order.save()
    assert_equals_a_direct_count(shop, since)

    # The shop moves to another time zone: every day is counted again in the new one.
    shop.time_zone = "America/New_York"
    shop.save()
    assert_equals_a_direct_count(shop, since)
    assert set(UnclaimedDay.objects.for_shop(shop).values_list("time_zone", flat=True)) == {
        "America/New_York"
    }


def test_todays_parcels_count_at_once_without_being_stored(shop):
    parcels(shop, 20)
    since = timezone.now() - timedelta(days=365)
    before = unclaimed_report(shop, since=since, costs=COSTS).summary
    today = timezone.now() - timedelta(minutes=1)
    ShipmentFactory(shop=shop, status=S.RETURNED_TO_SENDER, shipped_at=today, returned_at=today)

    after = assert_equals_a_direct_count(shop, since).summary
    assert (after.shipments, after.unclaimed) == (before.shipments + 1, before.unclaimed + 1)


def test_a_report_with_an_end_and_one_over_all_time_equal_a_direct_count(shop):
    parcels(shop, 40)
    now = timezone.now()
    until = now - timedelta(days=20, hours=5)
    report = unclaimed_report(shop, since=now - timedelta(days=200), until=until, costs=COSTS)
    assert report.summary == unclaimed_summary(
        shop, since=now - timedelta(days=200), until=until, costs=COSTS
    )
    assert report.months == unclaimed_by(
        shop, "month", since=now - timedelta(days=200), until=until, costs=COSTS
    )
    assert unclaimed_report(shop, costs=COSTS).summary == unclaimed_summary(shop, costs=COSTS)


def writes_stored_days(query) -> bool:
    """A write other than to the cache (a table without Redis), which keeps the year's sums."""
    return query["sql"].startswith(("INSERT", "DELETE")) and "aftersale_cache" not in query["sql"]


def queries_of_a_stored_report(shop, since):
    unclaimed_report(shop, since=since, costs=COSTS)  # stores the days
    with CaptureQueriesContext(connection) as context:
        unclaimed_report(shop, since=since, costs=COSTS)
    return context.captured_queries


def test_a_stored_report_costs_the_same_queries_for_few_or_many_parcels(shop, other_shop):
    since = timezone.now() - timedelta(days=365)
    parcels(shop, 6)
    parcels(other_shop, 90, seed=3)
    few = queries_of_a_stored_report(shop, since)
    many = queries_of_a_stored_report(other_shop, since)
    assert len(few) == len(many)
    # Nothing is written when nothing changed, and no query reads a year of parcels: the
    # parcels table is read for the days changed, the partial first day, today, and the top
    # customers' parcel counts.
    assert not any(writes_stored_days(q) for q in many)
    assert sum('FROM "delivery_shipment"' in q["sql"] for q in many) == 6


def test_one_shops_stored_days_never_count_in_anothers(shop, other_shop):
    parcels(shop, 50)
    parcels(other_shop, 30, seed=11)
    since = timezone.now() - timedelta(days=365)
    mine = assert_equals_a_direct_count(shop, since)
    theirs = assert_equals_a_direct_count(other_shop, since)
    assert (
        mine.summary.shipments + theirs.summary.shipments
        == unclaimed_summary(shop, since=since).shipments
        + unclaimed_summary(other_shop, since=since).shipments
    )
    customers = set(other_shop.customers.values_list("pk", flat=True))
    assert {row.key for row in theirs.by_customer} <= customers
    stored = UnclaimedByCustomer.objects.for_shop(other_shop).values_list("customer_id", flat=True)
    assert set(stored) <= customers
    # Changing one shop's parcel recounts only that shop's day.
    mine_checked = dict(UnclaimedDay.objects.for_shop(shop).values_list("day", "computed_at"))
    other_shop.shipments.update(status=S.RETURNED_TO_SENDER, updated_at=timezone.now())
    assert_equals_a_direct_count(other_shop, since)
    assert dict(UnclaimedDay.objects.for_shop(shop).values_list("day", "computed_at")) == (
        mine_checked
    )


def fill(shop, count):
    """``count`` more parcels over two years, one order each, ten per customer, in bulk; all
    picked up, so the customers who leave parcels stay the few of ``parcels``."""
    now = timezone.now()
    stamps = {"created_at": now, "updated_at": now}
    customers = insert_rows(
        Customer,
        [{"shop_id": shop.pk, "external_id": f"bulk{n}", **stamps} for n in range(count // 10)],
    )
    sent = [now - timedelta(hours=n % (2 * 365 * 24)) for n in range(count)]
    orders = insert_rows(
        Order,
        [
            {"shop_id": shop.pk, "customer_id": customers[n // 10], "external_id": f"bulk{n}",
             "number": f"B{n}", "placed_at": sent[n], **stamps}
            for n in range(count)
        ],
    )  # fmt: skip
    insert_rows(
        Shipment,
        [
            {"shop_id": shop.pk, "order_id": order_id, "external_id": f"bulk{n}",
             "carrier": "posti", "tracking_token": f"bulk{n}", "shipped_at": sent[n],
             "status": S.PICKED_UP, **stamps}
            for n, order_id in enumerate(orders)
        ],
    )  # fmt: skip


def shipment_scans(plan):
    """(node type, index condition) of every read of delivery_shipment in a JSON plan; a bitmap
    heap scan's condition is its bitmap index scans'."""
    found = []

    def walk(node):
        if node.get("Relation Name") == "delivery_shipment":
            conditions = [node.get("Index Cond", "")] + [
                child.get("Index Cond", "") for child in node.get("Plans", [])
            ]
            found.append((node["Node Type"], " ".join(conditions)))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_on_postgresql_no_query_of_the_report_scans_the_parcels_table(shop):
    parcels(shop, 60)
    fill(shop, 20_000)  # at a real shop's size the planner's choices are the real ones
    since = timezone.now() - timedelta(days=365)
    queries = [q["sql"] for q in queries_of_a_stored_report(shop, since)]
    with CaptureQueriesContext(connection) as flagged:
        flagged_customers(shop, timezone.now())
    queries += [q["sql"] for q in flagged.captured_queries]
    reading = [sql for sql in queries if '"delivery_shipment"' in sql]
    assert len(reading) == 7
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE delivery_shipment")
        cursor.execute("ANALYZE orders_order")
        cursor.execute("ANALYZE orders_customer")
        # A small table is cheaper to scan whole; forbid that so the plan shows whether an
        # index can answer (PostgreSQL still scans when none can).
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in reading:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            scans = shipment_scans(cursor.fetchone()[0])
            assert scans, sql
            for node_type, condition in scans:
                assert node_type != "Seq Scan", f"{sql}\n{scans}"
                # Walking one of the shop's indexes from its start reads the shop's every
                # parcel too: the index must also bound the day, the change or the order.
                assert any(
                    column in condition for column in ("COALESCE", "updated_at", "order_id")
                ), f"{sql}\n{scans}"


def test_the_worker_stores_every_shops_days_before_the_first_view(shop, other_shop):
    """The first view of a year of days used to store them itself (3.1 s at scale); the
    worker's hourly job stores them first, so that view only reads."""
    from aftersale.core.worker import registered_jobs
    from aftersale.delivery.services import store_unclaimed_report_days

    assert "delivery.unclaimed_report_days" in {job.name for job in registered_jobs()}
    parcels(shop, 20)
    parcels(other_shop, 10, seed=5)
    store_unclaimed_report_days()
    assert UnclaimedDay.objects.for_shop(shop).count() == 364  # whole past days
    assert UnclaimedDay.objects.for_shop(other_shop).count() == 364
    since = timezone.now() - timedelta(days=365)
    with CaptureQueriesContext(connection) as first_view:
        assert_equals_a_direct_count(shop, since)
    assert not any(writes_stored_days(q) for q in first_view)


def sums_read(shop, since) -> int:
    """How many queries added up stored counts while the report was made."""
    with CaptureQueriesContext(connection) as context:
        unclaimed_report(shop, since=since, costs=COSTS, top=3)
    return sum(
        'FROM "delivery_unclaimedcount"' in q["sql"]
        or 'FROM "delivery_unclaimedbycustomer"' in q["sql"]
        for q in context.captured_queries
    )


def test_the_sums_of_a_year_are_added_up_again_only_after_a_stored_day_changes(shop, other_shop):
    made = parcels(shop, 60)
    parcels(other_shop, 30, seed=5)
    since = timezone.now() - timedelta(days=365)
    first = assert_equals_a_direct_count(shop, since)
    assert sums_read(shop, since) == 1  # only the top customers' stored rows, not the sums
    assert sums_read(other_shop, since) > 1  # another shop's sums are its own
    assert sums_read(other_shop, since) == 1

    # A parcel of a stored day comes back unclaimed: the sums are added up again, once.
    waiting = next(
        p for p in made if p.status == S.READY_FOR_PICKUP and p.shipped_at > since + timedelta(2)
    )
    waiting.status, waiting.returned_at = S.RETURNED_TO_SENDER, timezone.now()
    waiting.save()
    assert sums_read(shop, since) > 1
    second = assert_equals_a_direct_count(shop, since)
    assert second.summary.unclaimed == first.summary.unclaimed + 1
    assert sums_read(shop, since) == 1


def test_sums_are_added_up_again_when_their_version_is_lost_from_the_cache(shop):
    from django.core.cache import cache

    parcels(shop, 30)
    since = timezone.now() - timedelta(days=365)
    assert_equals_a_direct_count(shop, since)
    assert sums_read(shop, since) == 1
    cache.delete(f"unclaimed-sums-version:{shop.pk}")
    assert sums_read(shop, since) > 1
    assert_equals_a_direct_count(shop, since)
