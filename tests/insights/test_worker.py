from datetime import timedelta

from django.utils import timezone

from aftersale.core.worker import registered_jobs, run_job, run_queued_tasks
from aftersale.insights.models import CustomerValue, ShopInsight
from aftersale.insights.tasks import compute_shop_insights
from tests.factories import OrderLineFactory


def test_the_worker_computes_every_shop_nightly(shop_a, shop_b):
    for tenant in (shop_a, shop_b):
        OrderLineFactory(order__shop=tenant.shop, order__placed_at=timezone.now() - timedelta(1))
    job = next(job for job in registered_jobs() if job.name == "insights.nightly")
    assert job.every == timedelta(hours=24)
    assert run_job(job) is True
    assert ShopInsight.objects.filter(status="done").count() == 2
    assert CustomerValue.objects.for_shop(shop_a.shop).count() == 1
    assert run_job(job) is False  # not again before tomorrow


def test_a_merchant_can_ask_for_a_fresh_computation(shop_a, django_capture_on_commit_callbacks):
    OrderLineFactory(order__shop=shop_a.shop, order__placed_at=timezone.now() - timedelta(1))
    with django_capture_on_commit_callbacks(execute=True):
        compute_shop_insights.enqueue(shop_a.shop.pk)
    assert not ShopInsight.objects.exists()
    run_queued_tasks()
    assert ShopInsight.objects.for_shop(shop_a.shop).get().status == "done"
