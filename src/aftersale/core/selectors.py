"""Reads about shops and who may see them."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from aftersale.core.models import Shop


def shops_for_user(user) -> QuerySet[Shop]:
    if not user.is_authenticated:
        return Shop.objects.none()
    return Shop.objects.filter(memberships__user=user).order_by("name")


def get_for_shop_or_404(queryset: QuerySet, shop: Shop, **lookup):
    """One object of ``shop``; a foreign shop's object is indistinguishable from a missing one."""
    try:
        return queryset.filter(shop=shop).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404 from None
