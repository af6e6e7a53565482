from aftersale.core.selectors import shops_for_user


def current_shop(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    shop = getattr(request, "shop", None)
    return {
        "current_shop": shop if shop else None,
        "user_shops": shops_for_user(request.user),
    }
