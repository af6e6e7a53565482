"""The nightly mining of what customers keep together."""

from datetime import UTC, datetime

import numpy as np
import pytest

from aftersale.analytics.bought_together import BoughtTogether as Miner
from aftersale.core.worker import registered_jobs, run_job
from aftersale.recommendations.mining import compute_bought_together
from aftersale.recommendations.models import BoughtTogether
from aftersale.recommendations.services import recommend_for_customer
from aftersale.returns.models import ReturnState
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ReturnLineFactory,
    VariantFactory,
)

PLACED = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)


def test_lift_and_confidence_match_a_count_by_hand():
    # 6 customers: 0-2 kept camera (0) and card (1); 3 kept the camera only;
    # 4-5 kept the card and a bag (2). Camera and bag share a category.
    customers = np.array([0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 5])
    products = np.array([0, 1, 0, 1, 0, 1, 0, 1, 2, 1, 2])
    model = Miner(min_customers=2, min_lift=0.0).fit(
        customers, products, categories=np.array([7, 8, 7])
    )
    pairs = {
        (int(a), int(b)): (int(n), round(float(lift), 4), round(float(score), 4))
        for a, b, n, lift, score in zip(
            model.product_, model.related_, model.customers_, model.lift_, model.score_, strict=True
        )
    }
    # n_camera = 4, n_card = 5, n_bag = 2, N = 6: lift = 3·6 / (4·5) = 0.9
    assert pairs[(0, 1)] == (3, 0.9, 0.75)
    assert pairs[(1, 0)] == (3, 0.9, 0.6)
    # card and bag: lift = 2·6 / (5·2) = 1.2; confidence bag→card = 2/2
    assert pairs[(2, 1)] == (2, 1.2, 1.0)
    assert (0, 2) not in pairs and (2, 0) not in pairs  # same category


def test_support_and_lift_thresholds_drop_weak_pairs():
    customers = np.array([0, 0, 1, 1, 2, 3])
    products = np.array([0, 1, 0, 1, 2, 2])
    model = Miner(min_customers=3, min_lift=1.0).fit(
        customers, products, categories=np.array([0, 1, 2])
    )
    assert model.product_.size == 0
    model = Miner(min_customers=2, min_lift=2.5).fit(
        customers, products, categories=np.array([0, 1, 2])
    )
    assert model.product_.size == 0  # lift is 2·4 / (2·2) = 2
    model = Miner(min_customers=2, min_lift=2.0).fit(
        customers, products, categories=np.array([0, 1, 2])
    )
    assert sorted(zip(model.product_.tolist(), model.related_.tolist(), strict=True)) == [
        (0, 1),
        (1, 0),
    ]


@pytest.fixture
def cameras(shop_a):
    shop = shop_a.shop
    camera = VariantFactory(shop=shop, product__name="Camera", stock=5)
    card = VariantFactory(shop=shop, product__name="Memory card", stock=5)
    lens = VariantFactory(
        shop=shop, product__name="Lens", product__category=camera.product.category, stock=5
    )
    socks = VariantFactory(shop=shop, product__name="Socks", stock=5)
    return shop, camera, card, lens, socks


def kept(shop, *variants):
    order = OrderFactory(shop=shop, customer=CustomerFactory(shop=shop), placed_at=PLACED)
    return order, [OrderLineFactory(order=order, variant=v) for v in variants]


def test_pairs_come_from_kept_lines_only(cameras):
    shop, camera, card, lens, socks = cameras
    for _ in range(3):
        kept(shop, camera, card)
    for _ in range(3):
        kept(shop, socks)
    # Three customers bought camera and socks together but sent the socks back.
    for _ in range(3):
        order, [_, line] = kept(shop, camera, socks)
        ReturnLineFactory(
            order_line=line, return_request__order=order, return_request__state=ReturnState.RECEIVED
        )
    assert compute_bought_together(shop) == 2
    pair = BoughtTogether.objects.for_shop(shop).get(product=camera.product)
    assert (pair.related, pair.customers) == (card.product, 3)
    assert pair.lift == pytest.approx(3 * 9 / (6 * 3))


def test_a_pair_in_the_same_category_is_a_substitute_not_a_recommendation(cameras):
    shop, camera, card, lens, socks = cameras
    for _ in range(4):
        kept(shop, camera, lens)
    kept(shop, socks)
    assert compute_bought_together(shop) == 0


def test_the_reason_tells_staff_how_many_customers_and_how_much_above_chance(cameras):
    shop, camera, card, lens, socks = cameras
    for _ in range(3):
        kept(shop, camera, card)
    for _ in range(3):
        kept(shop, socks)
    compute_bought_together(shop)
    order, _ = kept(shop, camera)
    [offer] = recommend_for_customer(shop, order.customer)
    assert offer.product == card.product
    assert offer.reason == "bought_together"
    lift = BoughtTogether.objects.get(product=camera.product).lift
    assert offer.reason_text == (
        f"Kept together with Camera by 3 customers, {lift:.1f}× more often than chance"
    )


def test_the_nightly_job_mines_every_shop(cameras, shop_b):
    shop, camera, card, lens, socks = cameras
    for _ in range(3):
        kept(shop, camera, card)
        kept(shop, socks)
    job = next(job for job in registered_jobs() if job.name == "insights.nightly")
    assert run_job(job) is True
    assert BoughtTogether.objects.for_shop(shop).count() == 2
    assert not BoughtTogether.objects.for_shop(shop_b.shop).exists()
