"""The service desk in a real Chromium, in Finnish, Swedish and English, on a desktop and a
phone: the contact form suggests help articles as the customer types and opens a ticket; staff
answer it from the inbox with a canned reply, previewed first."""

from __future__ import annotations

import pytest

from aftersale.service.canned import save_canned_reply
from aftersale.service.help.starter import create_starter_articles
from aftersale.service.models import Ticket, TicketMessage
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (language, what the customer types, a suggested article, "Send", the thank-you heading)
CUSTOMER = [
    (
        "fi",
        "Kuinka kauan minulla on aikaa palauttaa tuote?",
        "Kuinka kauan minulla on aikaa palauttaa tuote?",
        "Lähetä",
        "Kiitos, viestisi lähetettiin",
    ),
    (
        "sv",
        "Hur länge har jag på mig att returnera en vara?",
        "Hur länge har jag på mig att returnera en vara?",
        "Skicka",
        "Tack, ditt meddelande har skickats",
    ),
    (
        "en",
        "How long do I have to return an item?",
        "How long do I have to return an item?",
        "Send",
        "Thank you, your message was sent",
    ),
]

# (language, the inbox heading, "Insert", "Preview", "Send reply", greeting)
STAFF = [
    ("fi", "Tiketit", "Lisää", "Esikatsele", "Lähetä vastaus", "Hei"),
    ("sv", "Ärenden", "Infoga", "Förhandsvisa", "Skicka svar", "Hej"),
    ("en", "Tickets", "Insert", "Preview", "Send reply", "Hi"),
]


def wider_than_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def speak(page, live_server, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )


@pytest.mark.parametrize("device", ["page", "phone_page"])
@pytest.mark.parametrize("language, question, suggested, send, thanks", CUSTOMER)
def test_the_contact_form_suggests_articles_then_opens_a_ticket(
    request, live_server, shop_a, device, language, question, suggested, send, thanks
):
    create_starter_articles(shop_a.shop)
    page = request.getfixturevalue(device)
    speak(page, live_server, language)
    page.goto(f"{live_server.url}/s/pohjola/contact/")
    page.locator("#contact-email").fill("aino@example.fi")
    page.locator("#contact-topic").select_option("return")
    page.locator("#contact-subject").fill(question)
    page.locator("#contact-message").fill(question)
    suggestion = page.locator("[data-suggestions] a").first
    suggestion.wait_for()
    assert suggestion.inner_text() == suggested
    assert not wider_than_the_screen(page)
    page.get_by_role("button", name=send, exact=True).click()
    page.get_by_role("heading", name=thanks).wait_for()
    assert not wider_than_the_screen(page)
    ticket = Ticket.objects.for_shop(shop_a.shop).get()
    assert (ticket.email, ticket.topic, ticket.language) == ("aino@example.fi", "return", language)


@pytest.mark.parametrize("device", ["page", "phone_page"])
@pytest.mark.parametrize("language, heading, insert, preview, send, hello", STAFF)
def test_staff_answer_from_the_inbox_with_a_canned_reply(
    request, live_server, shop_a, device, language, heading, insert, preview, send, hello
):
    from tests.service.helpers import open_ticket

    ticket = open_ticket(shop_a.shop, name="Aino Virtanen", subject="Wrong size")
    save_canned_reply(
        shop_a.shop, language="fi", title="Swap", body=hello + " {{ customer_first_name }}!"
    )
    page = request.getfixturevalue(device)
    speak(page, live_server, language)
    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(shop_a.staff.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/tickets/")
    page.get_by_role("heading", name=heading, exact=True).wait_for()
    assert not wider_than_the_screen(page)
    page.get_by_role("link", name=f"#{ticket.number} Wrong size").click()
    page.locator("[data-kind=customer]").wait_for()
    assert not wider_than_the_screen(page)
    page.get_by_role("button", name=insert, exact=True).click()
    page.locator("textarea#id_body").filter(has_text="customer_first_name").wait_for()
    page.get_by_role("button", name=preview, exact=True).click()
    page.locator("[data-preview]").filter(has_text=f"{hello} Aino!").wait_for()
    page.get_by_role("button", name=send, exact=True).click()
    page.locator("[data-kind=staff]").wait_for()
    assert not wider_than_the_screen(page)
    reply = TicketMessage.objects.get(ticket=ticket, kind="staff")
    assert reply.body == f"{hello} Aino!"
