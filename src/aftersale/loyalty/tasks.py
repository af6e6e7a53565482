"""On-demand loyalty work for the back-office (django-tasks, run by the worker)."""

from __future__ import annotations

from django_tasks import task

from aftersale.core.models import Shop


@task()
def compute_shop_effect_report(shop_id: int) -> None:
    from aftersale.loyalty.effect import compute_effect_report

    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is not None:
        compute_effect_report(shop)
