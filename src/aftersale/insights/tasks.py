"""Background work for insights: on demand (a django-task) and nightly (a worker job)."""

from __future__ import annotations

from django_tasks import task

from aftersale.core.models import Shop


@task()
def compute_shop_insights(shop_id: int) -> None:
    """On demand. A stopping worker ends it between phases and queues it again, so the next
    start computes it."""
    from aftersale.core.worker import Stopped, check_stop
    from aftersale.insights.services import compute_insights
    from aftersale.recommendations.mining import compute_bought_together

    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None:
        return
    try:
        compute_insights(shop, stoppable=True)
        check_stop()
        compute_bought_together(shop)
    except Stopped:
        compute_shop_insights.enqueue(shop_id)


def compute_all_shops() -> None:
    """The nightly job: every shop, one after the other, its insights and then what its
    customers keep together (recommendations); a stopping worker stops between shops and
    between the phases of one (the shop's previous snapshot then stays)."""
    from aftersale.core.worker import check_stop
    from aftersale.insights.services import compute_insights
    from aftersale.recommendations.mining import compute_bought_together

    for shop in Shop.objects.order_by("pk"):
        check_stop()
        compute_insights(shop, stoppable=True)
        check_stop()
        compute_bought_together(shop)
    check_stop()
