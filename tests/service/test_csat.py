"""How did we do? A solved ticket asks the customer by e-mail (the built-in ``csat`` flow, the
worker, a real SMTP server); the signed link opens a page that records the answer on POST."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from aftersale.flows.models import Flow, Message
from aftersale.service import services
from aftersale.service.csat import csat_token
from aftersale.service.models import CsatAnswer, SupportSettings, TicketState
from aftersale.timeline import types
from aftersale.timeline.models import Event
from aftersale.timeline.services import record_event
from tests.api.conftest import api  # noqa: F401  (the API client fixture)
from tests.factories import CustomerFactory
from tests.flows.conftest import START, worker_pass
from tests.service.helpers import open_ticket

LINK = re.compile(r"(https://aftersale\.example/s/[a-z0-9-]+/csat/[^/\s]+/)\?score=(\d)")


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def mail(smtp, settings):
    settings.SITE_URL = "https://aftersale.example"
    return smtp


def solved_ticket(tenant, language="fi", email="aino@example.fi"):
    CustomerFactory(shop=tenant.shop, email=email, language=language, first_name="Aino")
    ticket = open_ticket(tenant.shop, email=email, language=language)
    services.assign(ticket, tenant.staff, actor=tenant.staff)
    services.reply(ticket, author=tenant.staff, body="Sent a new pair.", email=False)
    services.change_state(ticket, TicketState.SOLVED, actor=tenant.owner)
    ticket.refresh_from_db()
    return ticket


def links_in(received) -> dict[int, str]:
    return {int(score): f"{url}?score={score}" for url, score in LINK.findall(received.text)}


def path_of(url: str) -> str:
    return url.removeprefix("https://aftersale.example")


def test_it_asks_when_a_ticket_is_solved_and_records_the_answer_on_post(
    shop_a, mail, clock, client
):
    ticket = solved_ticket(shop_a)
    worker_pass()

    [received] = mail.to("aino@example.fi")
    assert received.subject == f"Miten onnistuimme? (#{ticket.number})"
    assert "Hei Aino," in received.text
    links = links_in(received)
    assert sorted(links) == [1, 2, 3, 4, 5]
    assert "Erinomainen" in received.text  # the scores' words in Finnish

    # A mail scanner (or the customer) opens the link: nothing is recorded yet.
    page = client.get(path_of(links[4]))
    assert page.status_code == 200
    assert page["Content-Language"] == "fi"
    assert 'value="4" checked' in page.content.decode()
    assert not CsatAnswer.objects.exists()

    done = client.post(path_of(links[4]), {"score": "4", "comment": "Nopeaa palvelua!"})
    assert done.status_code == 200
    assert "4/5" in done.content.decode() or "4" in done.content.decode()
    answer = CsatAnswer.objects.get()
    assert (answer.shop, answer.ticket, answer.score) == (shop_a.shop, ticket, 4)
    assert answer.comment == "Nopeaa palvelua!"
    assert answer.agent == shop_a.staff  # the assignee when solved, not who solved it
    assert answer.topic == ticket.topic and answer.customer == ticket.customer
    event = Event.objects.get(type=types.TICKET_CSAT)
    assert event.payload["score"] == 4 and event.customer == ticket.customer

    # Answering again changes the one answer.
    client.post(path_of(links[4]), {"score": "2", "comment": ""})
    answer = CsatAnswer.objects.get()
    assert (answer.score, answer.comment) == (2, "")


def test_the_question_follows_the_customers_language(shop_a, mail, clock, client):
    ticket = solved_ticket(shop_a, language="sv", email="elsa@example.se")
    worker_pass()
    [received] = mail.to("elsa@example.se")
    assert received.subject == f"Hur gjorde vi det? (#{ticket.number})"
    assert "Utmärkt" in received.text
    page = client.get(path_of(links_in(received)[5]))
    assert page["Content-Language"] == "sv"
    assert "Hur gjorde vi det?" in page.content.decode()


def test_a_score_outside_one_to_five_is_refused_and_nothing_is_stored(shop_a, mail, clock, client):
    solved_ticket(shop_a)
    worker_pass()
    [received] = mail.to("aino@example.fi")
    url = path_of(links_in(received)[3])
    response = client.post(url, {"score": "9", "comment": "x"})
    assert response.status_code == 400
    assert "1" in response.content.decode() and not CsatAnswer.objects.exists()


def test_a_forged_token_or_another_shops_token_is_not_found(shop_a, shop_b, client):
    ticket = solved_ticket(shop_a)
    event = Event.objects.get(type=types.TICKET_SOLVED, subject_id=ticket.pk)
    good = csat_token(shop_a.shop.pk, ticket.pk, event.pk)
    assert client.get(reverse("portal:csat", args=["pohjola", good])).status_code == 200

    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    other_ticket = good.replace(f"{ticket.pk}.", f"{ticket.pk + 1}.", 1)
    for token in (forged, other_ticket, "nonsense"):
        assert client.get(reverse("portal:csat", args=["pohjola", token])).status_code == 404
    # Shop A's token under shop B's address, and shop B's own signature of A's ticket.
    assert client.get(reverse("portal:csat", args=["saaristo", good])).status_code == 404
    b_signed = csat_token(shop_b.shop.pk, ticket.pk, event.pk)
    assert client.get(reverse("portal:csat", args=["saaristo", b_signed])).status_code == 404
    assert (
        client.post(reverse("portal:csat", args=["saaristo", good]), {"score": 5}).status_code
        == 404
    )
    assert not CsatAnswer.objects.exists()


def test_solving_an_old_imported_ticket_sends_nothing(shop_a, mail, clock):
    """History is history: a solving that happened long ago (an import, the demo's history)
    is older than the flow's trigger lag and asks nobody."""
    CustomerFactory(shop=shop_a.shop, email="aino@example.fi")
    ticket = open_ticket(shop_a.shop)
    record_event(
        shop_a.shop,
        types.TICKET_SOLVED,
        subject=ticket,
        customer=ticket.customer,
        payload={"number": ticket.number},
        occurred_at=timezone.now() - timedelta(days=40),
    )
    worker_pass()
    assert mail.to("aino@example.fi") == []
    assert not Message.objects.exists()


def test_solved_again_soon_is_not_asked_again_but_later_it_is(shop_a, mail, clock, client):
    SupportSettings.objects.create(shop=shop_a.shop, csat_interval_days=14)
    ticket = solved_ticket(shop_a)
    worker_pass()
    assert len(mail.to("aino@example.fi")) == 1

    clock.shift(timedelta(days=3))
    services.add_customer_message(ticket, body="Still the wrong colour.")
    services.change_state(ticket, TicketState.SOLVED, actor=shop_a.staff)
    worker_pass()
    assert len(mail.to("aino@example.fi")) == 1  # asked three days ago

    clock.shift(timedelta(days=12))
    services.add_customer_message(ticket, body="And now the zip broke.")
    services.change_state(ticket, TicketState.SOLVED, actor=shop_a.staff)
    worker_pass()
    later = mail.to("aino@example.fi")
    assert len(later) == 2
    # The new question is about the new solving: its answer is a second one.
    client.post(path_of(links_in(later[0])[5]), {"score": "5"})
    client.post(path_of(links_in(later[1])[1]), {"score": "1"})
    assert sorted(CsatAnswer.objects.values_list("score", flat=True)) == [1, 5]


def test_a_ticket_reopened_before_the_question_goes_out_is_not_asked(shop_a, mail, clock):
    ticket = solved_ticket(shop_a)
    services.add_customer_message(ticket, body="Wait, one more thing.")
    worker_pass()
    assert mail.to("aino@example.fi") == []


def test_the_flow_is_on_for_every_shop(shop_a, shop_b):
    for tenant in (shop_a, shop_b):
        flow = Flow.objects.for_shop(tenant.shop).get(key="csat")
        assert flow.enabled and flow.trigger_type == types.TICKET_SOLVED


def test_staff_see_the_answer_on_the_ticket_the_timeline_and_in_the_api(
    shop_a,
    shop_b,
    mail,
    clock,
    client,
    login,
    api,  # noqa: F811  (the fixture imported above)
):
    ticket = solved_ticket(shop_a)
    worker_pass()
    [received] = mail.to("aino@example.fi")
    client.post(path_of(links_in(received)[5]), {"score": "5", "comment": "Kiitos!"})

    staff = login(shop_a.staff)
    page = staff.get(reverse("backoffice:ticket_detail", args=[ticket.pk])).content.decode()
    assert 'data-csat="5"' in page and "Kiitos!" in page
    timeline = staff.get(
        reverse("backoffice:customer_detail", args=[ticket.customer_id])
    ).content.decode()
    assert "5/5" in timeline

    other = login(shop_b.staff)
    assert other.get(reverse("backoffice:ticket_detail", args=[ticket.pk])).status_code == 404

    read = api(shop_a.shop).get(f"/tickets/{ticket.number}").json()
    assert read["csat"]["score"] == 5 and read["csat"]["comment"] == "Kiitos!"
    assert read["csat"]["agent"] == shop_a.staff.get_username()
    assert api(shop_a.shop).get("/tickets").json()["items"][0]["csat"]["score"] == 5


def test_the_owner_sets_after_how_many_days_a_ticket_is_asked_again(shop_a, login):
    client = login(shop_a.owner)
    form = {"first_response_hours": 8, "resolution_hours": 40, "holiday_countries": "FI"}
    response = client.post(reverse("backoffice:service_targets"), {**form, "csat_interval_days": 0})
    assert response.status_code == 302
    assert SupportSettings.objects.get(shop=shop_a.shop).csat_interval_days == 0
    # Left out, the setting stays as it is.
    client.post(reverse("backoffice:service_targets"), form)
    assert SupportSettings.objects.get(shop=shop_a.shop).csat_interval_days == 0
    refused = client.post(
        reverse("backoffice:service_targets"), {**form, "csat_interval_days": 999}
    )
    assert refused.status_code == 400
