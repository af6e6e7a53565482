"""Background work for the delivery reports, queued by a view that found too much to count."""

from __future__ import annotations

from django.core.cache import cache
from django_tasks import task

from aftersale.core.models import Shop

QUEUED_SECONDS = 15 * 60  # a page queues the counting at most once in this time per shop


def _queued_key(shop_id: int) -> str:
    return f"unclaimed-days-queued:{shop_id}"


@task()
def store_shop_report_days(shop_id: int) -> None:
    """Count and store a shop's missing days of the unclaimed report. A stopping worker ends
    it between months and queues it again; what was stored stays."""
    from aftersale.core.worker import Stopped
    from aftersale.delivery.services import store_report_days

    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None:
        return
    try:
        store_report_days(shop)
    except Stopped:
        store_shop_report_days.enqueue(shop_id)
        return
    cache.delete(_queued_key(shop_id))


def queue_report_days(shop: Shop) -> bool:
    """Queue the counting of the shop's missing days unless it was queued lately; True when
    queued now."""
    if not cache.add(_queued_key(shop.pk), 1, QUEUED_SECONDS):
        return False
    store_shop_report_days.enqueue(shop.pk)
    return True
