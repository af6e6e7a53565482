"""Survey answers through the API: a shop's answers, filtered by period and score; another
shop's answer is a 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import PickupPointFactory
from tests.surveys.helpers import answer

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_it_lists_the_shops_answers_with_what_they_were_about(api, shop_a, shop_b):
    point = PickupPointFactory(shop=shop_a.shop, code="K123")
    mine = answer(shop_a.shop, score=2, comment="Late", pickup_point=point, about="delivery")
    answer(shop_b.shop, score=5, comment="Ulkopuolinen")
    response = api(shop_a.shop).get("/survey-answers")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["id"] == mine.pk
    assert (item["scale"], item["score"], item["comment"], item["about"]) == (
        "csat",
        2,
        "Late",
        "delivery",
    )
    assert item["customer_external_id"] == mine.customer.external_id
    assert item["order_external_id"] == mine.order.external_id
    assert (item["carrier"], item["pickup_point_code"]) == ("posti", "K123")
    assert item["flow"] == "satisfaction_survey_delivered"
    assert item["ticket_number"] is None


def test_it_filters_by_period_and_score(api, shop_a):
    with time_machine.travel(MONDAY, tick=False):
        old = answer(shop_a.shop, score=1)
    with time_machine.travel(MONDAY + timedelta(days=7), tick=False):
        low = answer(shop_a.shop, score=2)
        high = answer(shop_a.shop, score=5)
    client = api(shop_a.shop)

    def ids(**params):
        response = client.get("/survey-answers", params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    since = (MONDAY + timedelta(days=1)).isoformat()
    assert ids(answered_since=since) == [low.pk, high.pk]
    assert ids(answered_before=since) == [old.pk]
    assert ids(max_score=2) == [old.pk, low.pk]
    assert ids(score=5) == [high.pk]
    assert ids(min_score=2, answered_since=since) == [low.pk, high.pk]
    assert ids(limit=1)[0] == old.pk
    refused = client.get("/survey-answers", {"max_score": 11})
    assert refused.status_code == 422
    assert "max_score" in str(refused.json())


def test_one_answer_and_another_shops_is_not_found(api, shop_a, shop_b):
    mine = answer(shop_a.shop, score=4)
    theirs = answer(shop_b.shop, score=4)
    client = api(shop_a.shop)
    assert client.get(f"/survey-answers/{mine.pk}").json()["score"] == 4
    assert client.get(f"/survey-answers/{theirs.pk}").status_code == 404
    assert client.get("/survey-answers/abc").status_code == 404
    assert client.get("/survey-answers").status_code == 200
    assert api(shop_b.shop).get(f"/survey-answers/{mine.pk}").status_code == 404
