"""The bulk inserts behind ingest and the timeline (COPY on PostgreSQL, bulk_create elsewhere)."""

from __future__ import annotations

import gc
import threading
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from aftersale.core.bulk import gc_paused, insert_objects, insert_rows
from aftersale.orders.models import Customer
from aftersale.timeline.models import Event
from tests.factories import CustomerFactory

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_it_returns_the_new_ids_in_the_order_of_the_rows(shop_a):
    rows = [
        {
            "shop_id": shop_a.shop.pk,
            "type": "order.placed",
            "subject_type": "order",
            "subject_id": n,
            "payload": {"n": n, "name": "Åsa ✓"},
            "occurred_at": AT,
        }
        for n in range(5)
    ]
    ids = insert_rows(Event, rows)
    stored = {event.pk: event for event in Event.objects.filter(pk__in=ids)}
    assert [stored[pk].subject_id for pk in ids] == [0, 1, 2, 3, 4]
    assert [stored[pk].payload for pk in ids] == [row["payload"] for row in rows]
    assert all(stored[pk].occurred_at == AT for pk in ids)


def test_fields_a_row_leaves_out_take_their_defaults_and_the_time(shop_a):
    before = datetime.now(UTC)
    (pk,) = insert_rows(
        Event,
        [{"shop_id": shop_a.shop.pk, "type": "x", "subject_type": "order", "subject_id": 1,
          "occurred_at": AT}],
    )  # fmt: skip
    event = Event.objects.get(pk=pk)
    assert event.payload == {}
    assert event.customer_id is None
    assert event.created_at >= before


def test_it_refuses_a_field_the_model_does_not_have(shop_a):
    with pytest.raises(TypeError, match="Event has no field.*colour"):
        insert_rows(Event, [{"shop_id": shop_a.shop.pk, "colour": "red"}])
    assert not Event.objects.exists()


def test_it_gives_instances_their_ids_and_times(shop_a):
    customers = [Customer(shop=shop_a.shop, external_id=f"c{n}") for n in range(3)]
    insert_objects(Customer, customers)
    assert all(c.pk and c.created_at and not c._state.adding for c in customers)
    stored = Customer.objects.in_bulk([c.pk for c in customers])
    assert [stored[c.pk].external_id for c in customers] == ["c0", "c1", "c2"]


def test_a_duplicate_natural_key_raises_integrity_error_and_stores_nothing(shop_a):
    CustomerFactory(shop=shop_a.shop, external_id="c1")
    rows = [{"shop_id": shop_a.shop.pk, "external_id": key} for key in ("c0", "c1")]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Customer, rows)
    assert list(Customer.objects.values_list("external_id", flat=True)) == ["c1"]


def test_the_collector_is_held_off_inside_and_resumes_after_the_last_pause():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gc_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_concurrent_pauses_resume_the_collector_only_when_both_end():
    inside, release = threading.Event(), threading.Event()

    def other():
        with gc_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with gc_paused():
        thread.start()
        inside.wait(5)
    assert not gc.isenabled()  # the other thread's pause still holds
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
