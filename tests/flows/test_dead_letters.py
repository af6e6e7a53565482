"""Failed and retrying messages for staff: counts per flow and step, the dead-letter view with
the provider's reply, attempts and next attempt, and retry and cancel (one or ticked together),
each recorded on the customer's timeline with who did it.

Failures come from the real local SMTP server refusing with "451 Try again later": a temporary
refusal is retried with backoff and given up after the engine's last attempt.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersale.flows import operations
from aftersale.flows.models import FlowRun, Message, StepRun
from aftersale.flows.scheduler import MAX_ATTEMPTS
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.flows.conftest import worker_pass
from tests.flows.helpers import place_order


def refused_once(shop, smtp, count=1):
    """Orders whose thank-you e-mail the server refused once: the messages are retrying."""
    smtp.refuse = True
    orders = [place_order(shop) for _ in range(count)]
    worker_pass()
    messages = [order.customer.messages.get() for order in orders]
    assert all(m.state == Message.State.RETRYING for m in messages)
    return messages


def given_up(shop, smtp, clock, count=1):
    """Orders whose thank-you e-mail was refused until the engine gave up: failed messages."""
    messages = refused_once(shop, smtp, count)
    for _ in range(MAX_ATTEMPTS):
        clock.shift(timedelta(hours=7))
        worker_pass()
    for message in messages:
        message.refresh_from_db()
        assert message.state == Message.State.FAILED
    return messages


def test_it_counts_retrying_and_failed_messages_per_flow_and_step(login, shop_a, smtp, clock):
    shop = shop_a.shop
    failed = given_up(shop, smtp, clock)
    refused_once(shop, smtp, count=2)
    flow = failed[0].run.flow
    client = login(shop_a.staff)

    listing = client.get("/flows/").content.decode()
    assert f'?flow={flow.pk}&amp;state=retrying" data-count="retrying">2<' in listing
    assert f'?flow={flow.pk}&amp;state=failed" data-count="failed">1<' in listing

    detail = client.get(f"/flows/{flow.pk}/").content.decode()
    step = failed[0].step
    assert f"step={step.pk}&amp;state=retrying" in detail
    assert '&amp;state=failed" data-count="failed">1<' in detail


def test_the_dead_letter_view_shows_the_reply_attempts_and_next_attempt(
    login, shop_a, smtp, clock, django_assert_max_num_queries
):
    shop = shop_a.shop
    failed = given_up(shop, smtp, clock)[0]
    retrying = refused_once(shop, smtp, count=3)[0]
    client = login(shop_a.staff)

    with django_assert_max_num_queries(12):
        response = client.get("/flows/dead-letters/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "451 Try again later" in page
    assert page.count('name="message"') == 4
    assert failed.recipient in page and retrying.recipient in page
    assert f'<td class="num">{MAX_ATTEMPTS}</td>' in page  # the failed one's attempts

    only_failed = client.get("/flows/dead-letters/?state=failed").content.decode()
    assert only_failed.count('name="message"') == 1

    detail = client.get(f"/flows/messages/{retrying.pk}/").content.decode()
    assert "451 Try again later" in detail and "Next attempt" in detail
    assert "Retry now" in detail and "Cancel message" in detail


def test_staff_retry_a_failed_message_and_it_is_sent_once(login, shop_a, smtp, clock):
    shop = shop_a.shop
    message = given_up(shop, smtp, clock)[0]
    assert message.run.state == FlowRun.State.COMPLETED  # the run went on without it
    smtp.refuse = False
    client = login(shop_a.owner)

    response = client.post(f"/flows/messages/{message.pk}/retry/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == Message.State.RETRYING

    worker_pass()
    worker_pass()
    message.refresh_from_db()
    assert message.state == Message.State.SENT
    assert len(smtp.to(message.recipient)) == 1
    audit = (
        Event.objects.for_shop(shop).about("message", message.pk).get(type=types.MESSAGE_RETRIED)
    )
    assert audit.payload["by"] == shop_a.owner.username
    assert audit.customer_id == message.customer_id
    assert StepRun.objects.filter(run=message.run).count() == 1
    assert FlowRun.objects.get(pk=message.run_id).state == FlowRun.State.COMPLETED

    timeline = client.get(f"/customers/{message.customer_id}/").content.decode()
    assert f"Message sent again on request: {message.subject}, by a-owner" in timeline


def test_staff_cancel_retrying_messages_together_and_none_is_sent(login, shop_a, smtp, clock):
    shop = shop_a.shop
    first, second, kept = refused_once(shop, smtp, count=3)
    client = login(shop_a.staff)

    response = client.post(
        "/flows/dead-letters/act/",
        {"action": "cancel", "message": [first.pk, second.pk], "next": "/flows/dead-letters/"},
    )
    assert response.status_code == 302 and response["Location"] == "/flows/dead-letters/"

    smtp.refuse = False
    clock.shift(timedelta(hours=1))
    worker_pass()
    for message in (first, second):
        message.refresh_from_db()
        assert message.state == Message.State.CANCELLED
        assert smtp.to(message.recipient) == []
        step_run = StepRun.objects.get(run=message.run)
        assert step_run.state == StepRun.State.CANCELLED
        assert (
            Event.objects.about("message", message.pk)
            .filter(type=types.MESSAGE_CANCELLED, payload__by="a-staff")
            .exists()
        )
    kept.refresh_from_db()
    assert kept.state == Message.State.SENT
    page = client.get("/flows/dead-letters/").content.decode()
    assert 'name="message"' not in page


def test_staff_retry_ticked_messages_now(login, shop_a, smtp, clock):
    shop = shop_a.shop
    messages = refused_once(shop, smtp, count=2)
    smtp.refuse = False
    client = login(shop_a.staff)
    client.post(
        "/flows/dead-letters/act/", {"action": "retry", "message": [m.pk for m in messages]}
    )
    worker_pass()  # no clock shift: "retry" makes them due now, not at the backoff time
    for message in messages:
        message.refresh_from_db()
        assert message.state == Message.State.SENT


def test_it_leaves_sent_messages_alone_and_says_why(login, shop_a, smtp, clock):
    order = place_order(shop_a.shop)
    worker_pass()
    message = order.customer.messages.get()
    client = login(shop_a.owner)
    response = client.post(f"/flows/messages/{message.pk}/retry/", follow=True)
    assert "Nothing was done: the message is “Sent”, not failed or retrying." in (
        response.content.decode()
    )
    with pytest.raises(operations.NotPossible):
        operations.cancel_message(shop_a.shop, message.pk, by=shop_a.owner)
    assert len(smtp.to(message.recipient)) == 1
    assert not Event.objects.filter(type=types.MESSAGE_RETRIED).exists()


def test_it_does_not_retry_a_message_whose_run_was_ended(login, shop_a, smtp, clock):
    message = refused_once(shop_a.shop, smtp)[0]
    FlowRun.objects.filter(pk=message.run_id).update(
        state=FlowRun.State.EXITED, exit_reason="order.cancelled"
    )
    with pytest.raises(operations.NotPossible, match="order.cancelled"):
        operations.retry_message(shop_a.shop, message.pk, by=shop_a.owner)


def test_another_shops_messages_cannot_be_seen_retried_or_cancelled(
    login, shop_a, shop_b, smtp, clock
):
    foreign = refused_once(shop_b.shop, smtp)[0]
    client = login(shop_a.owner)
    assert client.post(f"/flows/messages/{foreign.pk}/retry/").status_code == 404
    assert client.post(f"/flows/messages/{foreign.pk}/cancel/").status_code == 404
    assert client.get(f"/flows/messages/{foreign.pk}/").status_code == 404
    client.post("/flows/dead-letters/act/", {"action": "cancel", "message": [foreign.pk]})
    page = client.get(f"/flows/dead-letters/?flow={foreign.run.flow_id}").content.decode()
    assert foreign.recipient not in page
    foreign.refresh_from_db()
    assert foreign.state == Message.State.RETRYING
    assert not Event.objects.filter(type=types.MESSAGE_CANCELLED).exists()


def test_operators_see_flows_in_the_admin_and_retry_from_it(login, shop_a, shop_b, smtp, clock):
    from tests.factories import UserFactory

    message = refused_once(shop_a.shop, smtp)[0]
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = login(root)
    for path in ("flow", "flowrun", "steprun", "message", "template", "consent", "suppression"):
        assert client.get(f"/admin/flows/{path}/").status_code == 200, path
    by_shop = client.get(f"/admin/flows/message/?shop__id__exact={shop_a.shop.pk}").content
    assert message.recipient in by_shop.decode()
    change = client.get(f"/admin/flows/message/{message.pk}/change/").content.decode()
    assert "451 Try again later" in change and 'name="_save"' not in change
    assert client.get("/admin/flows/flow/add/").status_code == 403

    smtp.refuse = False
    response = client.post(
        "/admin/flows/message/",
        {"action": "retry", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    worker_pass()
    message.refresh_from_db()
    assert message.state == Message.State.SENT
    assert (
        Event.objects.about("message", message.pk).get(type=types.MESSAGE_RETRIED).payload["by"]
        == "root"
    )


def test_a_bulk_action_returns_only_to_a_page_of_this_site(login, shop_a, smtp, clock):
    message = refused_once(shop_a.shop, smtp)[0]
    client = login(shop_a.staff)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = client.post(
            "/flows/dead-letters/act/",
            {"action": "retry", "message": [message.pk], "next": target},
        )
        assert response["Location"] == "/flows/dead-letters/"
