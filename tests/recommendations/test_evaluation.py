"""The offline evaluation on a tiny history whose answers are counted by hand."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from aftersale.analytics.ranking import ranking_metrics
from aftersale.recommendations.evaluation import evaluate
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, VariantFactory

BEFORE = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
AFTER = datetime(2026, 10, 15, 10, 0, tzinfo=UTC)
SPLIT = datetime(2026, 10, 1, tzinfo=UTC)


def test_metrics_count_hits_recall_and_the_first_hits_rank():
    metrics = ranking_metrics([[5, 1, 2], [7, 8, 9], [3]], [{1, 2, 4}, {6}, set()], k=2)
    assert metrics.customers == 2  # a customer with nothing relevant is not counted
    assert metrics.hit_rate == 0.5
    assert metrics.recall == pytest.approx((1 / 3 + 0) / 2)
    assert metrics.mrr == pytest.approx((1 / 2 + 0) / 2)


@pytest.fixture
def history(shop_a):
    shop = shop_a.shop
    camera, card, socks, hat = (
        VariantFactory(shop=shop, product__name=name, stock=1)
        for name in ("Camera", "Card", "Socks", "Hat")
    )

    def buy(customer, placed_at, *variants):
        order = OrderFactory(shop=shop, customer=customer, placed_at=placed_at)
        for variant in variants:
            OrderLineFactory(order=order, variant=variant)

    for _ in range(3):
        buy(CustomerFactory(shop=shop), BEFORE, camera, card)
    for _ in range(6):
        buy(CustomerFactory(shop=shop), BEFORE, socks)
    first, second = CustomerFactory(shop=shop), CustomerFactory(shop=shop)
    buy(first, BEFORE, camera)
    buy(first, AFTER, card)
    buy(second, BEFORE, socks)
    buy(second, AFTER, hat)
    return shop


def test_each_method_is_scored_on_what_customers_bought_after_the_split(history):
    result = evaluate(history, split=SPLIT)
    assert (result.test_customers, result.products) == (2, 4)
    by_name = {r.name: r.metrics for r in result.results}
    # Ours: the card after the camera (mined: 3 of 11 customers, lift 2.75); nothing for socks.
    assert (by_name["ours"].hit_rate, by_name["ours"].mrr) == (0.5, 0.5)
    # Popularity: socks 7, camera 4, card 3, hat 0 -> card 2nd for one, hat 3rd for the other.
    assert by_name["popularity"].hit_rate == 1.0
    assert by_name["popularity"].mrr == pytest.approx((1 / 2 + 1 / 3) / 2)
    assert by_name["ours + popular"].mrr == pytest.approx((1 + 1 / 3) / 2)
    assert by_name["random"].hit_rate == 1.0  # 10 places, 3 products left to pick from


def test_the_command_prints_the_methods_side_by_side(history, capsys):
    call_command("evaluate_recommendations", "--shop", history.slug, "--split-date", "2026-10-01")
    out = capsys.readouterr().out
    assert "2 customers who bought something new after" in out
    assert "ours + popular" in out and "popularity" in out and "random" in out
