"""The page a score link opens: a GET (a mail scanner, a preview, the customer) records
nothing; the button records; answering again changes the answer; a link is only good for its
own shop and run."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersale.service.models import Source, Ticket, TicketMessage
from aftersale.surveys.links import make_token
from aftersale.surveys.models import SurveyAnswer
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.surveys.conftest import (
    only_surveys_on,
    received_parcel,
    score_links,
    turn_on,
    worker_pass,
)


@pytest.fixture
def asked(shop, smtp, clock):
    """A customer who got the survey e-mail; returns (shipment, links by score)."""
    turn_on(shop)
    only_surveys_on(shop)
    shipment = received_parcel(shop, number="10042", language="en")
    worker_pass()
    clock.shift(timedelta(days=2))
    worker_pass()
    [mail] = smtp.to(shipment.order.customer.email)
    return shipment, score_links(mail)


def test_opening_a_score_link_records_nothing_and_preselects_the_score(client, asked):
    _shipment, links = asked
    for url in links.values():  # a mail scanner follows every link
        assert client.get(url).status_code == 200
    assert not SurveyAnswer.objects.exists()
    assert not Event.objects.filter(type=types.SURVEY_ANSWERED).exists()

    page = client.get(links[4]).content.decode()
    assert 'value="4" id="id_score_3" checked' in page
    assert page.count(" checked") == 1
    assert "How satisfied are you with your order?" in page
    assert "Order 10042" in page


def test_the_button_records_the_answer_and_a_second_answer_changes_it(client, asked):
    shipment, links = asked
    response = client.post(links[4], {"score": "4", "comment": "Nice shirt, slow parcel"})
    assert response.status_code == 302
    answer = SurveyAnswer.objects.get()
    assert (answer.score, answer.comment, answer.scale) == (4, "Nice shirt, slow parcel", "csat")
    assert answer.shipment == shipment and answer.order == shipment.order
    assert answer.customer == shipment.order.customer
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you! Your answer is saved." in thanks

    client.post(links[4], {"score": "2", "comment": "", "about": "delivery"})
    answer = SurveyAnswer.objects.get()
    assert (answer.score, answer.comment, answer.about) == (2, "", "delivery")
    events = Event.objects.filter(type=types.SURVEY_ANSWERED).order_by("id")
    assert [(e.payload["score"], e.payload["changed"]) for e in events] == [(4, False), (2, True)]


def test_a_score_outside_the_scale_is_refused_naming_the_field(client, asked):
    _shipment, links = asked
    response = client.post(links[5], {"score": "9"})
    assert response.status_code == 400
    assert "Choose one of the scores shown." in response.content.decode()
    response = client.post(links[5], {"score": "5", "comment": "x" * 2001})
    assert response.status_code == 400
    assert "Ensure this value has at most 2000 characters" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_a_forged_or_other_shops_link_is_not_found(client, asked, shop_b):
    shipment, links = asked
    url = links[3]
    token = url.split("/survey/")[1].split("/")[0]
    assert client.get(url.replace(token, token[:-2] + "xx")).status_code == 404
    assert client.post(url.replace(token, token[:-2] + "xx"), {"score": 3}).status_code == 404
    # The same token at another shop's address, and a token signed for another shop's run.
    other = url.replace("/s/pohjola/", f"/s/{shop_b.shop.slug}/")
    assert client.get(other).status_code == 404
    assert client.post(other, {"score": 3}).status_code == 404
    run = SurveyAnswer._meta.get_field("run").related_model.objects.get()
    foreign = make_token(shop_b.shop.pk, run.pk, "en", "csat")
    assert client.get(f"/s/{shop_b.shop.slug}/survey/{foreign}/").status_code == 404
    assert not SurveyAnswer.objects.exists()


def test_the_page_follows_the_language_of_the_email(client, shop, smtp, clock):
    turn_on(shop)
    only_surveys_on(shop)
    shipment = received_parcel(shop, language="sv")
    worker_pass()
    clock.shift(timedelta(days=2))
    worker_pass()
    [mail] = smtp.to(shipment.order.customer.email)
    response = client.get(score_links(mail)[5])
    assert response["Content-Language"] == "sv"
    assert "Hur nöjd är du med din beställning?" in response.content.decode()


def test_a_low_score_opens_one_ticket_with_the_comment(client, shop, asked):
    turn_on(shop, low_score_tickets=True)
    shipment, links = asked
    client.post(links[2], {"score": "2", "comment": "The zip broke", "about": "product"})
    ticket = Ticket.objects.get()
    assert (ticket.source, ticket.topic) == (Source.SURVEY, "product")
    assert ticket.customer == shipment.order.customer and ticket.order == shipment.order
    assert TicketMessage.objects.get(ticket=ticket).body == "The zip broke"
    assert SurveyAnswer.objects.get().ticket == ticket

    client.post(links[1], {"score": "1", "comment": "Still broken"})  # answering again
    assert Ticket.objects.count() == 1


def test_a_good_score_or_a_shop_without_tickets_opens_none(client, shop, asked):
    _shipment, links = asked
    client.post(links[1], {"score": "1"})  # tickets are off by default
    assert not Ticket.objects.exists()
    turn_on(shop, low_score_tickets=True)
    client.post(links[3], {"score": "3"})
    assert not Ticket.objects.exists()


def test_the_shops_own_threshold_decides_what_is_low(client, shop, asked):
    turn_on(shop, low_score_tickets=True, low_score=3)
    _shipment, links = asked
    client.post(links[3], {"score": "3"})
    ticket = Ticket.objects.get()
    assert ticket.topic == "other"
    assert (
        TicketMessage.objects.get(ticket=ticket).body
        == "Asiakas antoi arvosanan 3/5 ilman kommenttia."
    )  # the shop's language
