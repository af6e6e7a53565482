"""Pickup reminders and the holding deadline: never sent at or after it, even when it is moved
earlier after the reminders were scheduled; "N days left" counted between local dates from the
moment the reminder was due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersale.flows.models import StepRun
from aftersale.timeline import types
from aftersale.timeline.services import record_event
from tests.flows.conftest import START, worker_pass
from tests.flows.test_builtin_flows import waiting_parcel


@pytest.fixture
def shop(shop_a):
    return shop_a.shop


def test_no_reminder_after_the_deadline_was_moved_earlier(shop, smtp, clock):
    shipment = waiting_parcel(shop, "en", held_days=7)
    email = shipment.order.customer.email
    record_event(shop, types.SHIPMENT_READY_FOR_PICKUP, subject=shipment)
    worker_pass()  # the ready-for-pickup notice; reminders wait for days 4 and 6
    assert len(smtp.to(email)) == 1

    shipment.held_until = START + timedelta(days=3, hours=12)  # the carrier shortens it
    shipment.save(update_fields=["held_until"])
    for _ in range(8):
        clock.shift(timedelta(days=1))
        worker_pass()

    assert len(smtp.to(email)) == 1
    reasons = set(
        StepRun.objects.filter(state=StepRun.State.SKIPPED).values_list("skip_reason", flat=True)
    )
    assert reasons == {"too late: the holding deadline has passed"}


def test_a_reminder_still_goes_out_before_a_deadline_moved_earlier(shop, smtp, clock):
    shipment = waiting_parcel(shop, "en", held_days=7)
    email = shipment.order.customer.email
    record_event(shop, types.SHIPMENT_READY_FOR_PICKUP, subject=shipment)
    worker_pass()
    shipment.held_until = START + timedelta(days=6, hours=12)
    shipment.save(update_fields=["held_until"])

    clock.shift(timedelta(days=4))  # the 3-day reminder's old moment, before the new deadline
    worker_pass()
    clock.shift(timedelta(days=2))  # the 1-day reminder's old moment, still before it
    worker_pass()
    clock.shift(timedelta(days=1))
    worker_pass()
    sent = [m.subject for m in smtp.to(email)]
    assert len(sent) == 3 and sent[2].startswith("Last reminder")


def test_days_left_count_from_the_deadlines_local_date_not_from_a_late_send(shop, smtp, clock):
    shipment = waiting_parcel(shop, "en", held_days=7)
    # The last day is Monday 30 November, until 23:59 in Helsinki (21:59 UTC).
    shipment.held_until = datetime(2026, 11, 30, 21, 59, tzinfo=UTC)
    shipment.save(update_fields=["held_until"])
    record_event(shop, types.SHIPMENT_READY_FOR_PICKUP, subject=shipment)
    worker_pass()

    # The 3-day reminder is due on Friday at 23:59 local time; the worker gets to it two
    # minutes later, on Saturday by the local clock.
    clock.move_to(datetime(2026, 11, 27, 22, 1, tzinfo=UTC))
    worker_pass()
    reminder = smtp.to(shipment.order.customer.email)[-1]
    assert reminder.subject.startswith("Reminder")
    assert "You have 3 days left" in reminder.text
