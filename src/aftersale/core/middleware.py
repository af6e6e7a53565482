"""Resolve the shop a signed-in staff member is working in, before any view runs."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from aftersale.core.selectors import shops_for_user

SESSION_KEY = "aftersale_shop_id"


def resolve_shop(request):
    """The shop chosen in this session if the user is still a member of it, else their first."""
    shops = shops_for_user(request.user)
    chosen = request.session.get(SESSION_KEY)
    shop = shops.filter(pk=chosen).first() if chosen else None
    return shop or shops.first()


class CurrentShopMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.shop = SimpleLazyObject(lambda: resolve_shop(request))
        return self.get_response(request)
