"""The satisfaction page on a phone in Finnish, Swedish and English: the e-mail's link opens it
with its score chosen, nothing is stored until the customer presses the button, the comment
goes with the answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aftersale.service import services
from aftersale.service.csat import csat_token
from aftersale.service.models import CsatAnswer, TicketState
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.factories import CustomerFactory
from tests.service.helpers import open_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (language, the heading, the button, the thank-you heading)
LANGUAGES = [
    ("fi", "Miten onnistuimme?", "Lähetä vastaukseni", "Kiitos vastauksestasi"),
    ("sv", "Hur gjorde vi det?", "Skicka mitt svar", "Tack för ditt svar"),
    ("en", "How did we do?", "Send my answer", "Thank you for your answer"),
]


@pytest.mark.parametrize(("language", "heading", "button", "thanks"), LANGUAGES)
def test_a_customer_answers_on_a_phone(
    phone_page, live_server, shop_a, screenshot, language, heading, button, thanks
):
    email = f"aino.{language}@example.fi"
    CustomerFactory(shop=shop_a.shop, email=email, language=language)
    ticket = open_ticket(shop_a.shop, email=email, language=language)
    services.change_state(ticket, TicketState.SOLVED, actor=shop_a.staff)
    event = Event.objects.get(type=types.TICKET_SOLVED, subject_id=ticket.pk)
    token = csat_token(shop_a.shop.pk, ticket.pk, event.pk)
    page = phone_page

    page.goto(f"{live_server.url}/s/{shop_a.shop.slug}/csat/{token}/?score=4")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("input[name=score][value='4']")).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"csat-{language}")
    assert not CsatAnswer.objects.exists()  # opening the link records nothing

    page.locator("input[name=score][value='5']").check()
    page.locator("#csat-comment").fill("Kiitos, nopeaa!")
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(thanks)
    answer = CsatAnswer.objects.get()
    assert (answer.score, answer.comment) == (5, "Kiitos, nopeaa!")
