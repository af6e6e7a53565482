"""Background work for insights: on demand (a django-task) and nightly (a worker job)."""

from __future__ import annotations

from django_tasks import task

from aftersale.core.models import Shop


@task()
def compute_shop_insights(shop_id: int) -> None:
    from aftersale.insights.services import compute_insights

    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is not None:
        compute_insights(shop)


def compute_all_shops() -> None:
    """The nightly job: every shop, one after the other; a stopping worker stops between shops
    and between the phases of one (the shop's previous snapshot then stays)."""
    from aftersale.core.worker import check_stop
    from aftersale.insights.services import compute_insights

    for shop in Shop.objects.order_by("pk"):
        check_stop()
        compute_insights(shop, stoppable=True)
    check_stop()
