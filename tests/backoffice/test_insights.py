"""The customer value pages: the overview, a segment's customers, and the customer's value."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from aftersale.insights.models import CustomerValue
from aftersale.insights.services import compute_insights
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def buy(shop, customer, days_ago, cents):
    order = OrderFactory(
        shop=shop, customer=customer, placed_at=NOW - timedelta(days=days_ago), total_cents=cents
    )
    OrderLineFactory(order=order, total_cents=cents, vat_cents=0, unit_cost_cents=cents // 3)


@pytest.fixture
def computed(shop_a, shop_b):
    """Both shops have a snapshot; shop B's customers have names shop A must never see."""
    rng = random.Random(3)
    for tenant, surname in ((shop_a, "Lahtinen"), (shop_b, "Vieras")):
        for i in range(30):
            customer = CustomerFactory(shop=tenant.shop, last_name=f"{surname}{i}")
            days = rng.randint(150, 360)
            while days > 0:
                buy(tenant.shop, customer, days, rng.choice([3000, 4500, 8000, 12000]))
                if rng.random() < 0.35:
                    break
                days -= rng.randint(7, 120)
        compute_insights(tenant.shop, now=NOW)
    return shop_a, shop_b


def test_it_shows_the_shops_value_and_charts(login, computed):
    shop_a, _ = computed
    html = login(shop_a.staff).get(reverse("backoffice:insights")).content.decode()
    assert 'data-figure="customers">30<' in html
    assert "<svg role='img'" in html
    assert "Customers by segment" in html
    assert "Vieras" not in html


def test_it_says_when_nothing_is_computed_yet(login, shop_a):
    html = login(shop_a.staff).get(reverse("backoffice:insights")).content.decode()
    assert "Nothing has been computed for this shop yet" in html


def test_a_segment_lists_only_the_shops_own_customers(login, computed):
    shop_a, shop_b = computed
    segment = CustomerValue.objects.for_shop(shop_a.shop).first().value_segment
    html = (
        login(shop_a.staff)
        .get(reverse("backoffice:insights_segment", args=[segment]))
        .content.decode()
    )
    expected = CustomerValue.objects.for_shop(shop_a.shop).filter(value_segment=segment).count()
    assert html.count("Lahtinen") == min(expected, 25) > 0  # 25 a page
    assert "Vieras" not in html


def test_an_unknown_segment_is_404(login, shop_a):
    url = reverse("backoffice:insights_segment", args=["whales"])
    assert login(shop_a.staff).get(url).status_code == 404


def test_asking_for_a_fresh_computation_queues_it(
    login, shop_a, django_capture_on_commit_callbacks
):
    client = login(shop_a.staff)
    assert client.get(reverse("backoffice:insights_refresh")).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("backoffice:insights_refresh"))
    assert response.status_code == 302
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [shop_a.shop.pk]


def test_the_customer_page_shows_predicted_value_and_segment(login, computed):
    shop_a, _ = computed
    value = CustomerValue.objects.for_shop(shop_a.shop).exclude(clv_cents=None).first()
    html = (
        login(shop_a.staff)
        .get(reverse("backoffice:customer_detail", args=[value.customer_id]))
        .content.decode()
    )
    assert 'data-fact="clv"' in html
    assert value.get_value_segment_display() in html
    assert 'data-fact="return-rate">0 %' in html
