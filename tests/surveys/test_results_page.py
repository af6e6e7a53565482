"""The back-office survey results: distribution, CSAT % or NPS, per carrier, pickup point,
category and product, the response rate per flow, comments, settings; another shop's answers
never show."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersale.flows.models import Flow, FlowRun, Message
from aftersale.surveys import selectors
from aftersale.surveys.models import SurveySettings
from tests.factories import CategoryFactory, PickupPointFactory, ProductFactory
from tests.surveys.conftest import turn_on
from tests.surveys.helpers import answer


def figure(html: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1).strip()


def table_rows(html: str, table: str) -> list[list[str]]:
    body = html.split(f'data-table="{table}"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    ]


@pytest.fixture
def answers(shop_a, shop_b):
    shop = shop_a.shop
    clothes = CategoryFactory(shop=shop, name="Clothes")
    shoes = CategoryFactory(shop=shop, name="Shoes")
    shirt = ProductFactory(shop=shop, name="Merino T-shirt", category=clothes)
    boots = ProductFactory(shop=shop, name="Winter boots", category=shoes)
    point = PickupPointFactory(shop=shop, name="K-Market Kamppi")
    answer(shop, score=5, products=[shirt], carrier="posti", pickup_point=point)
    answer(shop, score=4, products=[shirt, boots], carrier="posti", pickup_point=point)
    answer(shop, score=2, products=[boots], carrier="matkahuolto", comment="Laces missing")
    answer(shop, score=1, products=[shirt], carrier="matkahuolto")
    # Another shop's answers, all fives, on the same carrier: never counted here.
    for _ in range(3):
        answer(shop_b.shop, score=5, carrier="posti", comment="Ulkopuolinen kommentti")
    return shop


def test_the_results_show_csat_and_the_distribution(login, shop_a, answers):
    html = login(shop_a.staff).get(reverse("backoffice:surveys")).content.decode()
    assert figure(html, "answers") == "4"
    assert figure(html, "score") == "50.0 %"  # 2 of 4 answered 4 or 5


def test_each_breakdown_counts_an_answer_once_per_group(login, shop_a, answers):
    client = login(shop_a.staff)
    url = reverse("backoffice:surveys")

    def rows(by):
        return table_rows(client.get(f"{url}?by={by}").content.decode(), "breakdown")

    assert rows("carrier") == [["Matkahuolto", "2", "0.0 %"], ["Posti", "2", "100.0 %"]]
    assert rows("point") == [["K-Market Kamppi", "2", "100.0 %"]]
    assert rows("category") == [["Clothes", "3", "66.7 %"], ["Shoes", "2", "50.0 %"]]
    assert rows("product") == [["Merino T-shirt", "3", "66.7 %"], ["Winter boots", "2", "50.0 %"]]


def test_nps_is_promoters_minus_detractors(shop_a):
    shop = shop_a.shop
    turn_on(shop, scale="nps")
    for score in (10, 9, 8, 6, 0):
        answer(shop, score=score, scale="nps")
    now = timezone.now()
    rows = selectors.answers(shop, scale="nps", since=now.replace(year=2000), until=now)
    result = selectors.overall(rows, "nps")
    assert (result.answers, result.value) == (5, 0.0)  # 2 promoters − 2 detractors of 5
    assert selectors.distribution(rows, "nps")[10] == (10, 1)


def test_the_page_reads_a_long_history_in_a_fixed_number_of_queries(
    login, shop_a, answers, django_assert_max_num_queries
):
    client = login(shop_a.staff)
    with django_assert_max_num_queries(20):
        client.get(reverse("backoffice:surveys") + "?by=product")
    for _ in range(10):
        answer(shop_a.shop, score=3)
    with django_assert_max_num_queries(20):
        client.get(reverse("backoffice:surveys") + "?by=product")


def test_the_response_rate_is_answered_of_sent_per_flow(login, shop_a, answers):
    shop = shop_a.shop
    flow = Flow.objects.get(shop=shop, key="satisfaction_survey_delivered")
    runs = list(FlowRun.objects.for_shop(shop).filter(flow=flow).order_by("id"))
    step = flow.steps.order_by("-position").first()
    for n, run in enumerate(runs[:3]):  # three of the four answered questions were sent here
        Message.objects.create(
            shop=shop,
            customer=run.customer,
            run=run,
            step=step,
            kind="marketing",
            channel="email",
            recipient=run.customer.email,
            language="fi",
            body="…",
            idempotency_key=f"rate-{n}",
            state=Message.State.SENT,
            sent_at=timezone.now(),
        )
    html = login(shop_a.staff).get(reverse("backoffice:surveys")).content.decode()
    rates = table_rows(html, "responses")
    assert ["Satisfaction survey after delivery", "3", "3", "100.0 %"] in rates
    assert ["Satisfaction survey after pickup", "0", "0", "–"] in rates


def test_the_survey_flows_report_shows_its_response_rate(login, shop_a, shop_b, answers):
    shop = shop_a.shop
    flow = Flow.objects.get(shop=shop, key="satisfaction_survey_delivered")
    url = reverse("backoffice:flow_report", args=[flow.pk])
    assert "no questions sent yet." in login(shop_a.staff).get(url).content.decode()
    step = flow.steps.order_by("-position").first()
    runs = list(FlowRun.objects.for_shop(shop).filter(flow=flow).order_by("id"))
    unanswered = FlowRun.objects.create(
        shop=shop, flow=flow, customer=runs[0].customer, subject_type="shipment",
        subject_id=0, started_at=timezone.now(),
    )  # fmt: skip
    for n, run in enumerate([*runs[:3], unanswered]):
        Message.objects.create(
            shop=shop, customer=run.customer, run=run, step=step, kind="transactional",
            channel="email", recipient=run.customer.email, language="fi", body="…",
            idempotency_key=f"report-{n}", state=Message.State.SENT, sent_at=timezone.now(),
        )  # fmt: skip
    html = login(shop_a.staff).get(url).content.decode()
    assert "3 answers from 4 questions sent (75.0 %)" in html
    assert login(shop_b.staff).get(url).status_code == 404
    pickup = Flow.objects.get(shop=shop, key="satisfaction_survey_picked_up")
    pickup_html = login(shop_a.staff).get(reverse("backoffice:flow_report", args=[pickup.pk]))
    assert "no questions sent yet." in pickup_html.content.decode()


def test_comments_list_shows_this_shops_comments_only(login, shop_a, answers):
    html = login(shop_a.staff).get(reverse("backoffice:survey_comments")).content.decode()
    assert "Laces missing" in html
    assert "Ulkopuolinen" not in html


def test_only_owners_change_the_settings(login, shop_a):
    assert login(shop_a.staff).get(reverse("backoffice:survey_settings")).status_code == 403
    client = login(shop_a.owner)
    assert client.get(reverse("backoffice:survey_settings")).status_code == 200
    response = client.post(
        reverse("backoffice:survey_settings"),
        {"enabled": "on", "delay_days": "3", "scale": "nps", "low_score_tickets": "on"},
    )
    assert response.status_code == 302
    settings = SurveySettings.objects.get(shop=shop_a.shop)
    assert (settings.scale, settings.low_score_tickets, settings.low_score_limit) == (
        "nps",
        True,
        6,
    )
    assert Flow.objects.get(shop=shop_a.shop, key="satisfaction_survey_picked_up").enabled


def test_a_low_score_outside_the_scale_is_refused_by_name(login, shop_a):
    response = login(shop_a.owner).post(
        reverse("backoffice:survey_settings"),
        {"delay_days": "2", "scale": "csat", "low_score": "7"},
    )
    assert response.status_code == 400
    assert "Give a score from 1 to 5, or leave it empty." in response.content.decode()
    assert not SurveySettings.objects.exists()
