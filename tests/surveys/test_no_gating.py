"""No review gating: the survey answer never changes whether, when or how the customer is
asked for a review. A customer who answered 1 (and whose answer opened a ticket) and one who
answered 5 get the same review request at the same moment with the same text."""

from __future__ import annotations

import re
from datetime import timedelta

from aftersale.flows.builtin import SURVEY_FLOW_KEYS
from aftersale.flows.models import Flow, Message
from aftersale.flows.services import set_flow_enabled
from aftersale.service.models import Ticket
from tests.surveys.conftest import START, received_parcel, score_links, turn_on, worker_pass

# The review-request flow of the main branch (built-in ``review_request``).
REVIEW_FLOW = "review_request"


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
    unhappy = received_parcel(shop, number="1001", language="en", name="Merino T-shirt")
    happy = received_parcel(shop, number="1002", language="en", name="Merino T-shirt")
    worker_pass()
    clock.shift(timedelta(days=2))
    worker_pass()
    [unhappy_mail] = smtp.to(unhappy.order.customer.email)
    [happy_mail] = smtp.to(happy.order.customer.email)
    client.post(
        score_links(unhappy_mail)[1], {"score": "1", "comment": "Broken", "about": "product"}
    )
    client.post(score_links(happy_mail)[5], {"score": "5"})
    assert Ticket.objects.for_shop(shop).unresolved().count() == 1  # the 1 opened a ticket

    for _day in range(30):
        clock.shift(timedelta(days=1))
        worker_pass()

    requests = {
        message.customer_id: message
        for message in Message.objects.for_shop(shop).filter(run__flow=review)
    }
    unhappy_request = requests[unhappy.order.customer_id]
    happy_request = requests[happy.order.customer_id]
    assert unhappy_request.state == happy_request.state == Message.State.SENT
    assert unhappy_request.sent_at == happy_request.sent_at
    assert unhappy_request.sent_at - START == happy_request.sent_at - START
    assert unhappy_request.step_id == happy_request.step_id
    assert _same_words(unhappy_request, "1001") == _same_words(happy_request, "1002")
    assert len(requests) == 2
