"""Review requests are timed from actual receipt (delivery, or pickup from a locker), per
product category, never for what was returned or never received, with one reminder, and
the same e-mail for every buyer."""

from __future__ import annotations

import inspect
from datetime import date, timedelta

from django.utils import timezone

from aftersale.delivery.models import ShipmentStatus
from aftersale.flows import builtin
from aftersale.flows.models import Message, Step, StepRun
from aftersale.flows.services import set_flow_enabled
from aftersale.returns.models import ReturnState, Withdrawal, WithdrawalLine
from aftersale.reviews import requests
from aftersale.reviews.models import Review, ReviewRequest, ReviewSettings, Verification
from aftersale.service.services import change_state, open_ticket
from tests.factories import ReturnLineFactory, ReturnRequestFactory
from tests.reviews.helpers import (
    category,
    order_with,
    parcel,
    product,
    receive,
    turn_on_review_requests,
    worker_pass,
)


def test_a_home_delivery_is_asked_about_seven_days_after_it_was_delivered(shop, smtp, clock):
    turn_on_review_requests(shop)
    order = order_with(shop, product(shop, "Merino T-shirt"), number="10077")
    receive(parcel(order), ShipmentStatus.DELIVERED)
    worker_pass(clock)
    [request] = ReviewRequest.objects.for_shop(shop)
    assert request.due_at == request.received_at + timedelta(days=7)

    clock.shift(timedelta(days=6, hours=23))
    worker_pass(clock)
    assert len(smtp) == 0

    clock.shift(timedelta(hours=1))
    worker_pass(clock)
    [mail] = smtp.to(order.customer.email)
    assert mail.subject == "Mitä pidit tilauksestasi 10077?"
    assert "- Merino T-shirt" in mail.text
    assert f"https://aftersale.example/s/{shop.slug}/review/" in mail.text
    assert "pahoittelemme" not in mail.text
    request.refresh_from_db()
    assert request.released_at is not None


def test_a_locker_parcel_counts_from_its_pickup_not_from_ready_for_pickup(shop, smtp, clock):
    turn_on_review_requests(shop)
    order = order_with(shop, product(shop))
    shipment = parcel(order)
    receive(shipment, ShipmentStatus.READY_FOR_PICKUP)
    worker_pass(clock)
    assert not ReviewRequest.objects.exists()

    clock.shift(timedelta(days=3))
    picked_up = timezone.now()
    receive(shipment, ShipmentStatus.PICKED_UP)
    worker_pass(clock)
    assert ReviewRequest.objects.get().due_at == picked_up + timedelta(days=7)

    # A week after "ready for pickup" nobody is asked yet: the parcel was only picked up later.
    clock.shift(timedelta(days=4))
    worker_pass(clock)
    assert len(smtp) == 0
    clock.shift(timedelta(days=3))
    worker_pass(clock)
    assert len(smtp.to(order.customer.email)) == 1


def test_the_delay_follows_the_category_and_the_longest_one_wins(shop, clock):
    electronics = category(shop, "Electronics")
    clothes = category(shop, "Clothes")
    ReviewSettings.objects.create(shop=shop, category_delays={str(electronics.pk): 14})
    only_clothes = order_with(shop, product(shop, "Jacket", clothes))
    mixed = order_with(
        shop, product(shop, "Jacket", clothes), product(shop, "Earbuds", electronics)
    )
    receive(parcel(only_clothes))
    receive(parcel(mixed))
    worker_pass(clock)
    delays = {r.order_id: r.due_at - r.received_at for r in ReviewRequest.objects.all()}
    assert delays == {only_clothes.pk: timedelta(days=7), mixed.pk: timedelta(days=14)}


def test_imported_history_asks_nobody(shop, smtp, clock):
    turn_on_review_requests(shop)
    order = order_with(shop, product(shop))
    long_ago = timezone.now() - timedelta(days=40)
    receive(parcel(order), at=long_ago)
    worker_pass(clock)
    clock.shift(timedelta(days=10))
    worker_pass(clock)
    assert not ReviewRequest.objects.exists()
    assert len(smtp) == 0


def test_an_unclaimed_parcel_is_never_asked_about(shop, smtp, clock):
    turn_on_review_requests(shop)
    order = order_with(shop, product(shop))
    shipment = parcel(order)
    receive(shipment, ShipmentStatus.READY_FOR_PICKUP)
    clock.shift(timedelta(days=14))
    receive(shipment, ShipmentStatus.RETURNED_TO_SENDER)
    worker_pass(clock)
    clock.shift(timedelta(days=14))
    worker_pass(clock)
    assert not ReviewRequest.objects.exists()
    assert len(smtp) == 0


def test_returned_lines_are_left_out_and_a_fully_returned_order_is_not_asked(shop, smtp, clock):
    turn_on_review_requests(shop)
    kept, sent_back = product(shop, "Wool socks"), product(shop, "Rain jacket")
    order = order_with(shop, kept, sent_back)
    returned_all = order_with(shop, product(shop, "Boots"))
    receive(parcel(order))
    receive(parcel(returned_all))
    worker_pass(clock)
    clock.shift(timedelta(days=3))
    jacket_line = order.lines.get(variant__product=sent_back)
    ReturnLineFactory(
        return_request=ReturnRequestFactory(order=order, state=ReturnState.REFUNDED),
        order_line=jacket_line,
    )
    # Still open (requested): the boots are on their way back.
    ReturnLineFactory(
        return_request=ReturnRequestFactory(order=returned_all, state=ReturnState.REQUESTED),
        order_line=returned_all.lines.get(),
    )
    clock.shift(timedelta(days=4))
    worker_pass(clock)

    [mail] = smtp.to(order.customer.email)
    assert "- Wool socks" in mail.text and "Rain jacket" not in mail.text
    assert smtp.to(returned_all.customer.email) == []
    dropped = ReviewRequest.objects.get(order=returned_all)
    assert dropped.not_asked_reason == "every item was returned or is in a return"
    assert dropped.released_at is None


def test_a_notice_of_withdrawal_counts_as_returned(shop, clock):
    order = order_with(shop, product(shop, "Kept"), product(shop, "Withdrawn"))
    notice = Withdrawal.objects.create(
        shop=shop, order=order, customer=order.customer, notified_at=timezone.now(),
        period_ends_at=timezone.now(),
        refund_due_at=timezone.now() + timedelta(days=14),
    )  # fmt: skip
    WithdrawalLine.objects.create(
        shop=shop, withdrawal=notice, order_line=order.lines.get(name="Withdrawn")
    )
    assert [line.name for line in requests.kept_lines(shop, order.pk)] == ["Kept"]


def test_a_rejected_return_does_not_count_as_returned(shop, clock):
    order = order_with(shop, product(shop))
    ReturnLineFactory(
        return_request=ReturnRequestFactory(order=order, state=ReturnState.REJECTED),
        order_line=order.lines.get(),
    )
    assert [line.pk for line in requests.kept_lines(shop, order.pk)] == [order.lines.get().pk]


def test_it_waits_while_the_customer_has_an_open_support_ticket(shop, smtp, clock):
    turn_on_review_requests(shop)
    order = order_with(shop, product(shop))
    receive(parcel(order))
    worker_pass(clock)
    ticket = open_ticket(
        shop,
        customer=order.customer,
        email=order.customer.email,
        name="",
        subject="Where is the receipt?",
        body="I need the receipt.",
        topic="order",
        source="portal",
    )
    clock.shift(timedelta(days=7))
    worker_pass(clock)
    assert len(smtp) == 0
    paused = StepRun.objects.get(step__template_key="review_request")
    assert paused.skip_reason == "paused: the customer has an open support ticket"

    change_state(ticket, "solved", actor=None)
    clock.shift(timedelta(hours=6))
    worker_pass(clock)
    assert len(smtp.to(order.customer.email)) == 1


def test_one_reminder_only_if_nothing_was_written(shop, smtp, clock):
    turn_on_review_requests(shop)
    silent = order_with(shop, product(shop, "Beanie"))
    writer = order_with(shop, product(shop, "Scarf"))
    receive(parcel(silent))
    receive(parcel(writer))
    worker_pass(clock)
    clock.shift(timedelta(days=7))
    worker_pass(clock)
    assert len(smtp) == 2
    line = writer.lines.get()
    Review.objects.create(
        shop=shop,
        product=line.variant.product,
        order_line=line,
        customer=writer.customer,
        author_name="Aino V.",
        language="fi",
        rating=4,
        verification=Verification.ORDER,
        verified_buyer=True,
        submitted_at=timezone.now(),
    )

    clock.shift(timedelta(days=7))
    worker_pass(clock)
    reminders = [m for m in smtp.to(silent.customer.email) if m.subject.startswith("Muistutus")]
    assert len(reminders) == 1
    assert "ainoa muistutus" in reminders[0].text
    assert len(smtp.to(writer.customer.email)) == 1
    clock.shift(timedelta(days=30))
    worker_pass(clock)
    assert len(smtp.to(silent.customer.email)) == 2

    request = ReviewRequest.objects.get(order=silent)
    assert request.sent_at is not None and request.reminder_sent_at is not None
    assert ReviewRequest.objects.get(order=writer).reminder_sent_at is None


def test_a_late_parcel_gets_an_apology(shop, smtp, clock):
    turn_on_review_requests(shop)
    promised = order_with(shop, product(shop), customer=None)
    promised.customer.language = "en"
    promised.customer.save()
    on_time = order_with(shop, product(shop))
    today = timezone.localdate(timezone.now())
    receive(parcel(promised, expected_delivery=today - timedelta(days=2)))
    receive(parcel(on_time, expected_delivery=today))
    worker_pass(clock)
    clock.shift(timedelta(days=7))
    worker_pass(clock)
    [late_mail] = smtp.to(promised.customer.email)
    assert "we are sorry your parcel was late" in late_mail.text
    [on_time_mail] = smtp.to(on_time.customer.email)
    assert "pahoittelemme" not in on_time_mail.text


def test_without_a_promised_date_late_means_slower_than_the_carriers_usual_transit(shop, clock):
    from aftersale.reviews.timing import parcel_was_late, promised_date

    order = order_with(shop, product(shop))
    # Shipped on Monday 23 November 2026 with Posti (2 working days: due Wednesday).
    shipment = parcel(order, carrier="posti", shipped_at=timezone.now())
    assert promised_date(shipment, shop) == date(2026, 11, 25)
    wednesday, thursday = timezone.now() + timedelta(days=2), timezone.now() + timedelta(days=3)
    assert not parcel_was_late(shipment, shop, wednesday)
    assert parcel_was_late(shipment, shop, thursday)
    # Friday to Tuesday is two working days: on time despite the weekend.
    friday = parcel(order, carrier="posti", shipped_at=timezone.now() + timedelta(days=4))
    assert promised_date(friday, shop) == date(2026, 12, 1)
    # Nothing known: never called late.
    assert not parcel_was_late(parcel(order), shop, thursday)


def test_every_buyer_is_asked_the_same_way(shop, smtp, clock):
    """No gating: whatever a customer rated before, the request and its reminder are the
    same e-mail at the same time; nothing in the flow or its planner reads a rating."""
    turn_on_review_requests(shop)
    happy = order_with(shop, product(shop, "Mittens"), number="20001")
    unhappy = order_with(shop, product(shop, "Mittens"), number="20001")
    for order, rating in ((happy, 5), (unhappy, 1)):
        earlier = order_with(shop, product(shop, "Cap"), customer=order.customer)
        line = earlier.lines.get()
        Review.objects.create(
            shop=shop,
            product=line.variant.product,
            order_line=line,
            customer=order.customer,
            author_name="A.",
            language="fi",
            rating=rating,
            verification=Verification.ORDER,
            verified_buyer=True,
            submitted_at=timezone.now(),
        )
        receive(parcel(order))
    worker_pass(clock)
    clock.shift(timedelta(days=7))
    worker_pass(clock)
    clock.shift(timedelta(days=7))
    worker_pass(clock)

    def shape(order):
        mails = smtp.to(order.customer.email)
        name = order.customer.first_name
        return [
            (m.subject, m.text.split("/review/")[0].replace(name, "NAME"), m.header("Date"))
            for m in mails
        ]

    assert len(shape(happy)) == 2
    assert shape(happy) == shape(unhappy)
    flow = next(f for f in builtin.FLOWS if f.key == "review_request")
    words = " ".join([*flow.flow_filter, *(s.condition for s in flow.steps)]).lower()
    assert not any(word in words for word in ("rating", "survey", "score", "nps", "star"))
    planner = inspect.getsource(requests).lower()
    assert "rating" not in planner.replace("reads a rating", "")
    steps = Step.objects.filter(flow__key="review_request", flow__shop=shop)
    assert {s.condition for s in steps} <= {"", "review_not_written"}


def test_a_turned_off_flow_sends_nothing(shop, smtp, clock):
    flow = turn_on_review_requests(shop)
    set_flow_enabled(shop, flow, False)
    order = order_with(shop, product(shop))
    receive(parcel(order))
    worker_pass(clock)
    clock.shift(timedelta(days=8))
    worker_pass(clock)
    assert len(smtp) == 0 and not Message.objects.exists()
