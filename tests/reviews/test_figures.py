"""Review figures in the reports: rating and fit beside the return insight, the review rate
per flow, and the rating-weighted product order for the cross-sell."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from aftersale.flows.models import FlowRun, Message
from aftersale.reviews import selectors
from aftersale.reviews.figures import ratings_by_product, review_rates_by_flow
from aftersale.reviews.models import ReviewStatus
from tests.factories import OrderLineFactory, ProductFactory, ReturnLineFactory, VariantFactory
from tests.flows.helpers import marketing_flow
from tests.reviews.showing import review


def test_ratings_and_fit_count_published_reviews_only(shop_a, shop_b):
    jeans = ProductFactory(shop=shop_a.shop)
    review(shop_a.shop, jeans, 4, fit="runs_small")
    review(shop_a.shop, jeans, 2, fit="runs_small")
    review(shop_a.shop, jeans, 5, fit="true_to_size")
    review(shop_a.shop, jeans, 1, fit="runs_large", status=ReviewStatus.PENDING)
    figures = ratings_by_product(shop_a.shop, [jeans.pk])[jeans.pk]
    assert (figures.count, round(figures.average, 2)) == (3, 3.67)
    assert figures.fit == {"runs_small": 2, "true_to_size": 1}
    assert [n for _, n in figures.fit_summary] == [2, 1]
    assert ratings_by_product(shop_b.shop, [jeans.pk]) == {}


def test_the_return_insight_shows_rating_and_fit_beside_returns(login, shop_a, shop_b):
    variant = VariantFactory(shop=shop_a.shop, product__name="Slim jeans")
    line = OrderLineFactory(order__shop=shop_a.shop, variant=variant)
    ReturnLineFactory(return_request__order=line.order, order_line=line, reason="too_small")
    review(shop_a.shop, variant.product, 3, fit="runs_small")
    review(shop_a.shop, variant.product, 4, fit="runs_small")
    client = login(shop_a.owner)
    html = client.get(reverse("backoffice:returns_insight") + "?days=365").content.decode()
    assert "3.5 ★ (2)" in html
    assert "Runs small (2)" in html
    other = login(shop_b.owner).get(reverse("backoffice:returns_insight") + "?days=365")
    assert "Slim jeans" not in other.content.decode()


def test_the_return_insight_shows_what_customers_are_told_about_the_fit(login, shop_a):
    variant = VariantFactory(shop=shop_a.shop, product__name="Slim jeans")
    OrderLineFactory(order__shop=shop_a.shop, variant=variant)
    for fit in ["runs_large"] * 4 + ["true_to_size"]:
        review(shop_a.shop, variant.product, 4, fit=fit)
    html = login(shop_a.owner).get(reverse("backoffice:returns_insight") + "?days=365")
    assert "Most buyers say it runs large: consider one size down." in html.content.decode()


def _asked(flow, order, *, template="review_request", started_days_ago=10):
    run = FlowRun.objects.create(
        shop=order.shop, flow=flow, customer=order.customer, subject_type="order",
        subject_id=order.pk, order=order,
        started_at=timezone.now() - timedelta(days=started_days_ago),
    )  # fmt: skip
    for step in flow.steps.filter(template_key=template):
        Message.objects.create(
            shop=order.shop, customer=order.customer, run=run, step=step, kind="marketing",
            channel="email", recipient=order.customer.email, language="fi", subject="Arvioi",
            body="…", idempotency_key=f"review-{run.pk}-{step.pk}", state=Message.State.SENT,
        )  # fmt: skip
    return run


def test_the_review_rate_counts_requests_that_led_to_a_review(login, shop_a, shop_b):
    flow = marketing_flow(shop_a.shop, name="Arviopyyntö", template="review_request")
    lines = [OrderLineFactory(order__shop=shop_a.shop) for _ in range(4)]
    for line in lines:
        _asked(flow, line.order)
    review(shop_a.shop, lines[0].variant.product, 5, order_line=lines[0], days_ago=2)
    review(shop_a.shop, lines[1].variant.product, 2, order_line=lines[1], days_ago=3)
    # Written before this request was sent: not caused by it.
    review(shop_a.shop, lines[2].variant.product, 4, order_line=lines[2], days_ago=30)
    other = marketing_flow(shop_a.shop, name="Kiitos", template="order_thanks")
    _asked(other, OrderLineFactory(order__shop=shop_a.shop).order, template="order_thanks")

    rates = review_rates_by_flow(shop_a.shop)
    assert set(rates) == {flow.pk}
    assert (rates[flow.pk].asked, rates[flow.pk].written, rates[flow.pk].rate) == (4, 2, 0.5)
    html = login(shop_a.owner).get(reverse("backoffice:flow_detail", args=[flow.pk])).content
    assert "2 reviews from 4 requests sent (50 %)" in html.decode()
    assert review_rates_by_flow(shop_b.shop) == {}
    foreign = login(shop_b.owner).get(reverse("backoffice:flow_detail", args=[flow.pk]))
    assert foreign.status_code == 404


def test_the_review_flows_report_shows_its_review_rate(login, shop_a, shop_b):
    flow = marketing_flow(shop_a.shop, name="Arviopyyntö", template="review_request")
    url = reverse("backoffice:flow_report", args=[flow.pk])
    html = login(shop_a.owner).get(url).content.decode()
    assert "no review requests sent yet." in html
    lines = [OrderLineFactory(order__shop=shop_a.shop) for _ in range(3)]
    for line in lines:
        _asked(flow, line.order)
    review(shop_a.shop, lines[0].variant.product, 4, order_line=lines[0], days_ago=2)
    html = login(shop_a.owner).get(url).content.decode()
    assert "1 reviews from 3 requests sent (33 %)" in html
    assert login(shop_b.owner).get(url).status_code == 404
    thanks = marketing_flow(shop_a.shop, name="Kiitos", template="order_thanks")
    other = login(shop_a.owner).get(reverse("backoffice:flow_report", args=[thanks.pk]))
    assert "data-review-rate" not in other.content.decode()


def test_rating_weighted_products_prefer_many_good_reviews_over_one_perfect(shop_a, shop_b):
    shop = shop_a.shop
    one_perfect = ProductFactory(shop=shop, name="A: one review")
    many_good = ProductFactory(shop=shop, name="B: many reviews")
    unrated = ProductFactory(shop=shop, name="C: no reviews")
    poor = ProductFactory(shop=shop, name="D: poor")
    review(shop, one_perfect, 5)
    for rating in [5, 5, 5, 4] * 10:  # mean 4.75
        review(shop, many_good, rating)
    for rating in (1, 2, 1):
        review(shop, poor, rating)
    review(shop, poor, 5, status=ReviewStatus.PENDING)  # not counted
    foreign = ProductFactory(shop=shop_b.shop, name="Foreign")

    ranked = selectors.rating_weighted_products(shop)
    assert [r.product for r in ranked] == [many_good, one_perfect, unrated, poor]
    assert ranked[0].count == 40 and ranked[3].average == 4 / 3
    shop_mean = (5 + 190 + 4) / 44
    assert abs(ranked[2].score - shop_mean) < 1e-9
    chosen = selectors.rating_weighted_products(shop, [poor, unrated, foreign], limit=1)
    assert [r.product for r in chosen] == [unrated]
