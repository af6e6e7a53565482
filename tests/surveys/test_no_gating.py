"""No review gating: the survey answer never changes whether, when or how the customer is
asked for a review. A customer who answered 1 (and whose answer opened a ticket) and one who
answered 5 get the same review request and reminder at the same moments with the same text,
through the whole review-request pipeline (requests planned from receipt, released when due,
sent by the built-in review-request flow)."""

from __future__ import annotations

import re
from datetime import timedelta

from aftersale.flows.builtin import SURVEY_FLOW_KEYS
from aftersale.flows.models import Flow, Message
from aftersale.flows.services import set_flow_enabled
from aftersale.reviews.models import ReviewRequest
from aftersale.reviews.requests import plan_requests, release_due
from aftersale.service.models import Ticket
from tests.factories import ProductFactory, VariantFactory
from tests.surveys.conftest import START, received_parcel, score_links, turn_on, worker_pass

# The built-in review-request flow (reviews app): it starts on ``review.requested``.
REVIEW_FLOW = "review_request"


def full_worker_pass() -> None:
    """What one pass of ``aftersale worker`` does for review requests and flows."""
    plan_requests()
    release_due()
    worker_pass()


def _same_words(message: Message, number: str) -> tuple[str, str]:
    """Subject and body with what differs by customer anyway (order number, links) masked."""

    def mask(text: str) -> str:
        return re.sub(r"https?://\S+", "<link>", text.replace(number, "<number>"))

    return mask(message.subject), mask(message.body)


def test_a_one_and_a_five_get_identical_review_requests(client, shop, smtp, clock):
    turn_on(shop, low_score_tickets=True)
    review = Flow.objects.get(shop=shop, key=REVIEW_FLOW)
    set_flow_enabled(shop, review, True)
    Flow.objects.for_shop(shop).exclude(key__in=[*SURVEY_FLOW_KEYS, REVIEW_FLOW]).update(
        enabled=False
    )
    shirt = ProductFactory(shop=shop, name="Merino T-shirt")
    unhappy = received_parcel(
        shop, number="1001", language="en", variant=VariantFactory(shop=shop, product=shirt)
    )
    happy = received_parcel(
        shop, number="1002", language="en", variant=VariantFactory(shop=shop, product=shirt)
    )
    clock.shift(timedelta(minutes=1))  # the timeline readers wait for events to settle
    full_worker_pass()
    clock.shift(timedelta(days=2))
    full_worker_pass()
    [unhappy_mail] = smtp.to(unhappy.order.customer.email)
    [happy_mail] = smtp.to(happy.order.customer.email)
    client.post(
        score_links(unhappy_mail)[1], {"score": "1", "comment": "Broken", "about": "product"}
    )
    client.post(score_links(happy_mail)[5], {"score": "5"})
    assert Ticket.objects.for_shop(shop).unresolved().count() == 1  # the 1 opened a ticket

    for _hour in range(24 * 30):
        clock.shift(timedelta(hours=1))
        full_worker_pass()

    planned = {r.order_id: r for r in ReviewRequest.objects.for_shop(shop)}
    assert planned[unhappy.order_id].due_at == planned[happy.order_id].due_at
    assert planned[unhappy.order_id].released_at == planned[happy.order_id].released_at

    def asked(shipment, number):
        messages = Message.objects.for_shop(shop).filter(
            run__flow=review, customer=shipment.order.customer
        )
        return [
            (m.step_id, m.state, m.sent_at - START, *_same_words(m, number))
            for m in messages.order_by("sent_at", "id")
        ]

    unhappy_asked = asked(unhappy, "1001")
    assert unhappy_asked == asked(happy, "1002")
    assert len(unhappy_asked) == 2  # the request and its one reminder, to both
    assert all(state == Message.State.SENT for _step, state, *_rest in unhappy_asked)
