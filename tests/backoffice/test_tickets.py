"""The service desk in the back-office: views, the ticket page, replies, changes, isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from aftersale.service import services
from aftersale.service.attachments import Upload
from aftersale.service.canned import save_canned_reply
from aftersale.service.models import Ticket, TicketMessage, TicketState
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    ReturnRequestFactory,
    ShipmentFactory,
)
from tests.service.helpers import open_ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def inbox(client, view="open", **params):
    return client.get(reverse("backoffice:tickets"), {"view": view, **params})


def numbers(response) -> set[int]:
    return {
        int(n) for n in __import__("re").findall(r'data-ticket="(\d+)"', response.content.decode())
    }


def test_the_views_sort_tickets_by_who_and_when(login, shop_a):
    client = login(shop_a.staff)
    mine = open_ticket(shop_a.shop, subject="Mine")
    services.assign(mine, shop_a.staff, actor=shop_a.staff)
    unassigned = open_ticket(shop_a.shop, subject="Nobody's")
    waiting = open_ticket(shop_a.shop, subject="Answered")
    services.reply(waiting, author=shop_a.owner, body="Answer")
    snoozed = open_ticket(shop_a.shop, subject="Later")
    services.change_state(
        snoozed, "snoozed", actor=shop_a.staff, snoozed_until=timezone.now() + timedelta(days=1)
    )

    assert numbers(inbox(client)) == {mine.number, unassigned.number}
    assert numbers(inbox(client, "mine")) == {mine.number}
    assert numbers(inbox(client, "unassigned")) == {unassigned.number}
    assert numbers(inbox(client, "waiting")) == {waiting.number}
    assert numbers(inbox(client, "snoozed")) == {snoozed.number}
    assert numbers(inbox(client, "all")) == {1, 2, 3, 4}
    assert numbers(inbox(client, "all", q=f"#{waiting.number}")) == {waiting.number}


def test_breaching_target_shows_tickets_past_their_reply_time(login, shop_a):
    with time_machine.travel("2026-12-01T07:00:00Z", tick=False):  # Tuesday 9:00 in Helsinki
        late = open_ticket(shop_a.shop, subject="Late")
    with time_machine.travel("2026-12-02T14:30:00Z", tick=False):  # Wednesday 16:30
        fresh = open_ticket(shop_a.shop, subject="Fresh")
        client = login(shop_a.staff)
        assert numbers(inbox(client, "breaching")) == {late.number}
        page = inbox(client).content.decode()
        assert "Reply overdue by" in page  # the late one
        assert "Reply due in 8 h 00 min of business time" in page  # 30 min today, 7.5 h tomorrow
    assert fresh.number not in numbers(inbox(client, "breaching"))


def test_the_inbox_costs_the_same_queries_for_many_tickets(
    login, shop_a, django_assert_max_num_queries
):
    client = login(shop_a.staff)
    for _ in range(3):
        open_ticket(shop_a.shop, customer=CustomerFactory(shop=shop_a.shop))
    with django_assert_max_num_queries(14) as few:
        inbox(client, "all")
    for _ in range(20):
        services.assign(
            open_ticket(shop_a.shop, customer=CustomerFactory(shop=shop_a.shop)),
            shop_a.owner,
            actor=shop_a.owner,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(numbers(inbox(client, "all"))) == 23


def test_the_ticket_page_shows_the_customers_orders_parcels_and_returns(login, shop_a):
    customer = CustomerFactory(shop=shop_a.shop, first_name="Aino")
    order = OrderFactory(shop=shop_a.shop, customer=customer, number="40404")
    ShipmentFactory(order=order, tracking_number="JJFI123", held_until=timezone.now())
    ReturnRequestFactory(order=order)
    ticket = open_ticket(
        shop_a.shop,
        customer=customer,
        order=order,
        attachments=[Upload("receipt.png", "image/png", PNG)],
    )
    services.add_note(ticket, author=shop_a.staff, body="Called her back")
    page = login(shop_a.staff).get(reverse("backoffice:ticket_detail", args=[ticket.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-order="40404"' in html and "JJFI123" in html and "held until" in html
    assert "Called her back" in html and 'data-kind="note"' in html
    assert "receipt.png" in html
    attachment = ticket.messages.get(kind="customer").attachments.get()
    served = login(shop_a.staff).get(
        reverse("backoffice:ticket_attachment", args=[ticket.pk, attachment.pk])
    )
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG


def test_a_reply_with_a_canned_text_is_previewed_then_sent(login, shop_a):
    customer = CustomerFactory(shop=shop_a.shop, first_name="Aino", language="fi")
    OrderFactory(shop=shop_a.shop, customer=customer, number="50505")
    ticket = open_ticket(shop_a.shop, customer=customer)
    canned = save_canned_reply(
        shop_a.shop,
        language="fi",
        title="Tilaus",
        body="Hei {{ customer_first_name }}, tilauksesi {{ order_number }} on matkalla.",
    )
    client = login(shop_a.staff)
    url = reverse("backoffice:ticket_detail", args=[ticket.pk])
    inserted = client.post(url, {"insert": "1", "canned": canned.pk, "body": ""})
    assert "{{ customer_first_name }}" in inserted.content.decode()

    body = canned.body
    preview = client.post(url, {"preview": "1", "body": body, "then": "waiting"})
    assert "Hei Aino, tilauksesi 50505 on matkalla." in preview.content.decode()
    assert not TicketMessage.objects.filter(kind="staff").exists()

    sent = client.post(url, {"send": "1", "body": body, "then": "solved"})
    assert sent.status_code == 302
    reply = TicketMessage.objects.get(kind="staff")
    assert reply.body == "Hei Aino, tilauksesi 50505 on matkalla."
    assert reply.delivery == "pending"
    ticket.refresh_from_db()
    assert ticket.state == TicketState.SOLVED


def test_a_template_mistake_is_named_and_nothing_is_sent(login, shop_a):
    ticket = open_ticket(shop_a.shop)
    response = login(shop_a.staff).post(
        reverse("backoffice:ticket_detail", args=[ticket.pk]),
        {"send": "1", "body": "Hi {% if %}", "then": "waiting"},
    )
    assert response.status_code == 400
    assert "template mistake" in response.content.decode()
    assert not TicketMessage.objects.filter(kind="staff").exists()


def test_staff_change_state_assignee_priority_tags_and_merge(login, shop_a):
    ticket = open_ticket(shop_a.shop)
    other = open_ticket(shop_a.shop)
    client = login(shop_a.staff)
    url = reverse("backoffice:ticket_change", args=[ticket.pk])
    client.post(url, {"what": "assignee", "assignee": shop_a.owner.pk})
    client.post(url, {"what": "priority", "priority": "urgent"})
    client.post(url, {"what": "tags", "tags": "Delivery, vip"})
    client.post(url, {"what": "state", "state": "snoozed", "snoozed_until": "2099-01-02"})
    ticket.refresh_from_db()
    assert ticket.assignee == shop_a.owner and ticket.priority == "urgent"
    assert ticket.tags == ["delivery", "vip"] and ticket.state == "snoozed"
    assert ticket.snoozed_until.year == 2099
    client.post(url, {"what": "merge", "into": str(other.number)})
    ticket.refresh_from_db()
    assert ticket.state == "merged" and ticket.merged_into == other
    client.post(reverse("backoffice:ticket_note", args=[other.pk]), {"note": "Merged ok"})
    assert other.messages.filter(kind="note", body="Merged ok").exists()


def test_bulk_actions_change_the_ticked_tickets(login, shop_a, shop_b):
    tickets = [open_ticket(shop_a.shop) for _ in range(2)]
    foreign = open_ticket(shop_b.shop)
    response = login(shop_a.staff).post(
        reverse("backoffice:tickets_bulk"),
        {"ids": [t.pk for t in tickets] + [foreign.pk], "action": "assign_me"},
    )
    assert response.status_code == 302
    assert set(Ticket.objects.for_shop(shop_a.shop).values_list("assignee", flat=True)) == {
        shop_a.staff.pk
    }
    foreign.refresh_from_db()
    assert foreign.assignee is None


def test_shop_a_cannot_act_on_shop_bs_ticket(login, shop_a, shop_b):
    ticket = open_ticket(shop_b.shop, attachments=[Upload("x.png", "image/png", PNG)])
    reply = services.reply(ticket, author=shop_b.staff, body="Hello")
    client = login(shop_a.staff)
    attachment = ticket.messages.get(kind="customer").attachments.get()
    urls = [
        (reverse("backoffice:ticket_detail", args=[ticket.pk]), {"send": "1", "body": "x"}),
        (reverse("backoffice:ticket_note", args=[ticket.pk]), {"note": "x"}),
        (reverse("backoffice:ticket_change", args=[ticket.pk]), {"what": "state", "state": "spam"}),
        (reverse("backoffice:ticket_reply_retry", args=[ticket.pk, reply.pk]), {}),
    ]
    for url, data in urls:
        assert client.post(url, data).status_code == 404
    get = reverse("backoffice:ticket_attachment", args=[ticket.pk, attachment.pk])
    assert client.get(get).status_code == 404
    ticket.refresh_from_db()
    assert ticket.state == TicketState.WAITING and ticket.messages.count() == 2


def test_canned_replies_are_saved_previewed_and_deleted(login, shop_a):
    client = login(shop_a.staff)
    url = reverse("backoffice:canned_replies")
    preview = client.post(
        url,
        {"preview": "1", "language": "en", "title": "Track", "body": "Track: {{ tracking_url }}"},
    )
    assert "Track: http" in preview.content.decode()
    bad = client.post(url, {"language": "en", "title": "Bad", "body": "{% for %}"})
    assert bad.status_code == 400 and "template mistake" in bad.content.decode()
    client.post(url, {"language": "en", "title": "Track", "body": "Track: {{ tracking_url }}"})
    saved = shop_a.shop.canned_replies.get()
    duplicate = client.post(url, {"language": "en", "title": "Track", "body": "Again"})
    assert duplicate.status_code == 400 and "already a reply" in duplicate.content.decode()
    client.post(
        reverse("backoffice:canned_reply", args=[saved.pk]),
        {"delete": "1", "language": "en", "title": "x", "body": "x"},
    )
    assert not shop_a.shop.canned_replies.exists()
