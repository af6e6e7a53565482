from datetime import timedelta

import pytest
import time_machine
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


# The task worker recycles database connections between tasks as in production, which needs
# real transactions rather than the test's wrapping one.
@pytest.mark.django_db(transaction=True)
def test_a_merchant_can_ask_for_a_fresh_computation(shop_a):
    OrderLineFactory(order__shop=shop_a.shop, order__placed_at=timezone.now() - timedelta(1))
    compute_shop_insights.enqueue(shop_a.shop.pk)
    assert not ShopInsight.objects.exists()
    run_queued_tasks()
    assert ShopInsight.objects.for_shop(shop_a.shop).get().status == "done"


def test_a_stopping_worker_ends_the_nightly_snapshot_between_phases(shop_a, shop_b):
    """SIGTERM while the first shop's orders are being loaded: that snapshot is recorded as
    stopped, the previous one stays, the second shop is not started, and the job is due again
    at the next start instead of tomorrow."""
    from django.db.models.signals import post_save

    from aftersale.core import worker

    for tenant in (shop_a, shop_b):
        OrderLineFactory(order__shop=tenant.shop, order__placed_at=timezone.now() - timedelta(1))
    job = next(job for job in registered_jobs() if job.name == "insights.nightly")
    assert run_job(job) is True  # yesterday's snapshots
    previous = CustomerValue.objects.for_shop(shop_a.shop).get()

    def stop(sender, instance, created, **kwargs):
        if created:
            worker.request_stop()

    post_save.connect(stop, sender=ShopInsight, dispatch_uid="test-insights-stop")
    try:
        with time_machine.travel(timezone.now() + timedelta(hours=25)):
            assert run_job(job) is True
    finally:
        post_save.disconnect(sender=ShopInsight, dispatch_uid="test-insights-stop")
        worker.clear_stop()

    stopped = ShopInsight.objects.order_by("-pk").first()
    assert stopped.shop == shop_a.shop and stopped.status == "failed"
    assert stopped.error.startswith("Stopped")
    assert ShopInsight.objects.filter(shop=shop_b.shop).count() == 1  # not started again
    assert CustomerValue.objects.for_shop(shop_a.shop).get() == previous  # snapshot kept
    with time_machine.travel(timezone.now() + timedelta(hours=25, minutes=1)):
        assert run_job(job) is True  # due again at once after the restart
    assert ShopInsight.objects.filter(status="done").count() == 4


def test_an_on_demand_computation_stopped_by_the_worker_is_queued_again(shop_a):
    from django_tasks_db.models import DBTaskResult

    from aftersale.core import worker

    OrderLineFactory(order__shop=shop_a.shop, order__placed_at=timezone.now() - timedelta(1))
    worker.request_stop()
    try:
        compute_shop_insights.call(shop_a.shop.pk)
    finally:
        worker.clear_stop()
    assert ShopInsight.objects.get().status == "failed"  # recorded as stopped
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # computed at next start
