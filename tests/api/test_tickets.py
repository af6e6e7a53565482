"""Tickets through the API: a chat or phone system pushes contacts in; reads are per shop."""

from __future__ import annotations

from aftersale.service.models import Ticket
from tests.factories import CustomerFactory, OrderFactory
from tests.service.helpers import open_ticket


def contact(**overrides):
    return {
        "email": "aino@example.fi",
        "name": "Aino",
        "subject": "Phone call: broken zip",
        "body": "Called about a broken zip on her jacket.",
        "topic": "product",
        **overrides,
    }


def test_a_contact_pushed_in_opens_a_ticket(api, shop_a):
    customer = CustomerFactory(shop=shop_a.shop, external_id="crm-1")
    order = OrderFactory(shop=shop_a.shop, customer=customer, external_id="o-1")
    response = api(shop_a.shop).post(
        "/tickets", contact(customer_external_id="crm-1", order_external_id="o-1")
    )
    assert response.status_code == 201
    body = response.json()
    assert body["number"] == 1 and body["source"] == "api" and body["state"] == "new"
    assert body["customer_external_id"] == "crm-1" and body["order_external_id"] == "o-1"
    ticket = Ticket.objects.for_shop(shop_a.shop).get()
    assert ticket.order == order and ticket.messages.get().body.startswith("Called about")


def test_an_idempotency_key_makes_a_retry_safe(api, shop_a):
    client = api(shop_a.shop)
    first = client.post("/tickets", contact(), headers={"HTTP_IDEMPOTENCY_KEY": "call-77"})
    again = client.post("/tickets", contact(), headers={"HTTP_IDEMPOTENCY_KEY": "call-77"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_bad_fields_are_named(api, shop_a, shop_b):
    client = api(shop_a.shop)
    refused = client.post("/tickets", contact(email="nope"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "/email"
    OrderFactory(shop=shop_b.shop, external_id="theirs")
    foreign = client.post("/tickets", contact(order_external_id="theirs"))
    assert foreign.status_code == 404
    assert foreign.json()["errors"][0]["pointer"] == "/order_external_id"
    assert not Ticket.objects.exists()


def test_tickets_and_messages_are_read_per_shop(api, shop_a, shop_b):
    mine = open_ticket(shop_a.shop, subject="Mine")
    open_ticket(shop_b.shop, subject="Theirs")
    client = api(shop_a.shop)
    listed = client.get("/tickets").json()
    assert [t["subject"] for t in listed["items"]] == ["Mine"]
    assert client.get(f"/tickets/{mine.number}").json()["subject"] == "Mine"
    messages = client.get(f"/tickets/{mine.number}/messages").json()["items"]
    assert [m["kind"] for m in messages] == ["customer"]
    assert client.get("/tickets", {"state": "solved"}).json()["items"] == []

    other_shop = api(shop_b.shop)
    theirs = Ticket.objects.for_shop(shop_b.shop).get()
    assert client.get("/tickets/999").status_code == 404
    assert other_shop.get(f"/tickets/{theirs.number}").json()["subject"] == "Theirs"
    # Shop B's ticket number 1 is not shop A's ticket number 1.
    assert client.get(f"/tickets/{theirs.number}").json()["subject"] == "Mine"


def test_messages_are_added_and_a_foreign_ticket_is_a_404(api, shop_a, shop_b):
    ticket = open_ticket(shop_a.shop)
    client = api(shop_a.shop)
    added = client.post(f"/tickets/{ticket.number}/messages", {"body": "She called again"})
    assert added.status_code == 201 and added.json()["kind"] == "customer"
    note = client.post(f"/tickets/{ticket.number}/messages", {"body": "VIP", "kind": "note"})
    assert note.json()["kind"] == "note"
    assert ticket.messages.count() == 3
    foreign = open_ticket(shop_b.shop)
    Ticket.objects.filter(pk=foreign.pk).update(number=99)
    response = client.post("/tickets/99/messages", {"body": "Hi"})
    assert response.status_code == 404
    assert foreign.messages.count() == 1


def test_the_list_pages_by_cursor(api, shop_a):
    for number in range(3):
        open_ticket(shop_a.shop, subject=f"T{number}")
    client = api(shop_a.shop)
    first = client.get("/tickets", {"limit": 2}).json()
    second = client.get("/tickets", {"limit": 2, "cursor": first["next_cursor"]}).json()
    subjects = [t["subject"] for t in first["items"] + second["items"]]
    assert sorted(subjects) == ["T0", "T1", "T2"] and second["next_cursor"] is None
