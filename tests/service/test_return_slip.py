"""From a ticket, staff e-mail the customer their return slip again: a reply with the PDF
attached, through the real SMTP server, and a note on the ticket."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersale.flows.direct import send_due_messages
from aftersale.returns.models import ReturnState
from aftersale.service.models import TicketMessage
from tests.factories import CustomerFactory, OrderFactory, ReturnRequestFactory
from tests.service.helpers import open_ticket

pytestmark = pytest.mark.django_db


def customer_with_return(shop, state=ReturnState.APPROVED, email="aino@example.fi"):
    customer = CustomerFactory(shop=shop, email=email, language="fi")
    order = OrderFactory(shop=shop, customer=customer)
    return customer, ReturnRequestFactory(order=order, state=state)


def test_staff_send_the_slip_again_from_the_ticket(shop_a, login, smtp):
    _customer, request = customer_with_return(shop_a.shop)
    ticket = open_ticket(shop_a.shop, language="fi")
    client = login(shop_a.staff)
    page = client.get(reverse("backoffice:ticket_detail", args=[ticket.pk])).content.decode()
    assert f'data-send-slip="{request.code}"' in page

    response = client.post(reverse("backoffice:ticket_send_slip", args=[ticket.pk, request.pk]))
    assert response.status_code == 302
    assert send_due_messages() == 1
    [mail] = smtp.to("aino@example.fi")
    assert request.code in mail.text and "palautuslipuke" in mail.text.lower()
    [pdf] = [part for part in mail.message.iter_attachments()]
    assert pdf.get_filename() == f"return-{request.code}.pdf"
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content().startswith(b"%PDF")
    notes = TicketMessage.objects.filter(ticket=ticket, kind=TicketMessage.Kind.SYSTEM)
    assert any(request.code in note.body for note in notes)


def test_a_return_without_a_slip_or_of_someone_else_is_refused(shop_a, login):
    _customer, waiting = customer_with_return(shop_a.shop, state=ReturnState.REQUESTED)
    _other, others = customer_with_return(shop_a.shop, email="eino@example.fi")
    ticket = open_ticket(shop_a.shop)
    client = login(shop_a.staff)
    for request in (waiting, others):
        response = client.post(
            reverse("backoffice:ticket_send_slip", args=[ticket.pk, request.pk]), follow=True
        )
        assert response.status_code == 200
        assert request.code in response.content.decode() or "customer" in response.content.decode()
    assert not TicketMessage.objects.filter(ticket=ticket, kind=TicketMessage.Kind.STAFF).exists()


def test_another_shops_return_or_ticket_is_not_found(shop_a, shop_b, login):
    _customer, theirs = customer_with_return(shop_b.shop)
    _mine_customer, mine = customer_with_return(shop_a.shop, email="aino2@example.fi")
    ticket = open_ticket(shop_a.shop, email="aino2@example.fi")
    client = login(shop_a.staff)
    url = reverse("backoffice:ticket_send_slip", args=[ticket.pk, theirs.pk])
    assert client.post(url).status_code == 404
    other = login(shop_b.staff)
    url = reverse("backoffice:ticket_send_slip", args=[ticket.pk, mine.pk])
    assert other.post(url).status_code == 404
    assert not TicketMessage.objects.filter(kind=TicketMessage.Kind.STAFF).exists()
