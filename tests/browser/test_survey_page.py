"""In a real Chromium on a phone: a customer taps a score in the survey e-mail, sees it chosen,
changes it, adds a comment and sends it, in Finnish, Swedish and English; the page also works
with JavaScript switched off."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aftersale.flows.models import Flow, FlowRun
from aftersale.surveys.links import make_token, survey_path
from aftersale.surveys.models import SurveyAnswer
from tests.factories import ShipmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TEXTS = {
    "fi": (
        "Kuinka tyytyväinen olet tilaukseesi?",
        "Lähetä vastaukseni",
        "Kiitos! Vastauksesi on tallennettu.",
    ),
    "sv": (
        "Hur troligt är det att du skulle rekommendera oss till en vän?",
        "Skicka mitt svar",
        "Tack! Ditt svar är sparat.",
    ),
    "en": (
        "How satisfied are you with your order?",
        "Send my answer",
        "Thank you! Your answer is saved.",
    ),
}
SCALES = {"fi": "csat", "sv": "nps", "en": "csat"}


def survey_link(shop, language: str) -> tuple[FlowRun, str]:
    shipment = ShipmentFactory(order__shop=shop, order__number=f"SURVEY-{language}")
    run = FlowRun.objects.create(
        shop=shop,
        flow=Flow.objects.get(shop=shop, key="satisfaction_survey_delivered"),
        customer=shipment.order.customer,
        subject_type="shipment",
        subject_id=shipment.pk,
        order=shipment.order,
        started_at=timezone.now(),
    )
    return run, survey_path(shop, make_token(shop.pk, run.pk, language, SCALES[language]))


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_customer_answers_on_a_phone(live_server, browser, shop_a, language):
    question, button, thanks = TEXTS[language]
    run, path = survey_link(shop_a.shop, language)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(f"{live_server.url}{path}?score=4")
    expect(page.get_by_text(question)).to_be_visible()
    assert page.locator("input[name=score][value='4']").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not SurveyAnswer.objects.exists()  # opening the link answered nothing

    page.locator("label[for=id_score_1]").tap()  # the second score of the row
    page.locator("#id_comment").fill("Paketti oli perillä ajallaan")
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("status")).to_contain_text(thanks)
    answer = SurveyAnswer.objects.get(run=run)
    second = 2 if SCALES[language] == "csat" else 1
    assert (answer.score, answer.comment, answer.language) == (
        second,
        "Paketti oli perillä ajallaan",
        language,
    )
    context.close()


def test_the_page_works_without_javascript(live_server, browser, shop_a):
    run, path = survey_link(shop_a.shop, "en")
    context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(f"{live_server.url}{path}?score=5")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you! Your answer is saved.")
    assert SurveyAnswer.objects.get(run=run).score == 5
    context.close()
